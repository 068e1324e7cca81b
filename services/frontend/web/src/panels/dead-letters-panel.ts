import type { DeadLetter, DeadLetterPage } from '@micromesh/contracts';
import { failureMessage, type BrokerClient } from '../broker-client';
import { byId, h } from '../dom';

/** One item of GET /api/dead-letters: the contracts package's `DeadLetter` (types only). */
export type DeadLetterItem = DeadLetter;

const LIMIT = 20;

/** Reads the page from the envelope, or undefined when the body is not one. */
export function toDeadLetterPage(body: unknown): DeadLetterPage | undefined {
  const data = (body as { data?: Partial<DeadLetterPage> } | null)?.data;
  if (!data || typeof data.count !== 'number' || !Array.isArray(data.items)) return undefined;
  return { count: data.count, items: data.items };
}

/**
 * The dead-letter queue for an admin: how many, the oldest few with their reason and a preview,
 * and a replay and a discard button on each. Hidden for everyone else.
 */
export class DeadLetterPanel {
  private readonly card = byId('dead-letters');
  private readonly list = byId('dl-list');
  private readonly count = byId('dl-count');
  private readonly summary = byId('dl-summary');
  private timer: number | undefined;

  constructor(
    private readonly client: BrokerClient,
    private readonly isAdmin: () => boolean,
  ) {
    byId('dl-refresh').addEventListener('click', () => void this.refresh());
    this.list.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-dl-op]');
      const id = button?.closest<HTMLElement>('li[data-id]')?.dataset.id;
      if (button && id) void this.act(button, id, button.dataset.dlOp === 'replay');
    });
  }

  start(): void {
    window.clearInterval(this.timer);
    this.card.hidden = !this.isAdmin();
    if (this.card.hidden) return;
    void this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), 15_000);
  }

  async refresh(): Promise<void> {
    if (!this.isAdmin()) return;
    const exchange = await this.client.send('GET', '/api/dead-letters', {
      query: new URLSearchParams({ limit: String(LIMIT) }),
    });
    const page = exchange.ok ? toDeadLetterPage(exchange.body) : undefined;
    if (!page) {
      this.count.textContent = '?';
      this.list.replaceChildren(
        h(
          'li',
          { class: 'error' },
          `Could not read the dead letters: ${failureMessage(exchange)}.`,
        ),
      );
      return;
    }
    this.card.dataset.count = String(page.count);
    this.count.textContent = String(page.count);
    this.count.className = `badge ${page.count > 0 ? 'dl-bad' : 'dl-ok'}`;
    this.summary.textContent =
      page.count > page.items.length
        ? `Oldest ${page.items.length} of ${page.count}`
        : 'Messages the listener could not store';
    this.list.replaceChildren(
      ...(page.items.length
        ? page.items.map((item) => this.row(item))
        : [h('li', { class: 'empty' }, 'No dead letters. Everything published was stored.')]),
    );
  }

  private row(item: DeadLetterItem): HTMLLIElement {
    const when = item.dead_lettered_at ? new Date(item.dead_lettered_at).toLocaleString() : '';
    return h(
      'li',
      { 'data-id': item.id, 'data-reason': item.reason, 'data-message-id': item.message_id },
      h(
        'div',
        { class: 'dl-head' },
        h('span', { class: 'badge dl-bad' }, item.reason),
        h('code', { class: 'dl-key' }, item.routing_key),
        h('span', { class: 'muted' }, when),
        item.attempts !== null
          ? h(
              'span',
              { class: 'muted' },
              `${item.attempts} attempt${item.attempts === 1 ? '' : 's'}`,
            )
          : null,
        h(
          'span',
          { class: 'dl-buttons' },
          h('button', { class: 'btn btn-quiet', type: 'button', 'data-dl-op': 'replay' }, 'Replay'),
          h(
            'button',
            { class: 'btn btn-quiet', type: 'button', 'data-dl-op': 'discard' },
            'Discard',
          ),
        ),
      ),
      item.detail ? h('p', { class: 'dl-detail' }, item.detail) : null,
      h('pre', { class: 'dl-preview' }, item.preview),
    );
  }

  private async act(button: HTMLButtonElement, id: string, replay: boolean): Promise<void> {
    button.disabled = true;
    button.classList.add('is-busy');
    const exchange = replay
      ? await this.client.send('POST', `/api/dead-letters/${id}/replay`)
      : await this.client.send('DELETE', `/api/dead-letters/${id}`);
    if (!exchange.ok) {
      button.disabled = false;
      button.classList.remove('is-busy');
      this.summary.textContent = `${replay ? 'Replay' : 'Discard'} failed: ${failureMessage(exchange)}`;
      return;
    }
    await this.refresh();
  }
}
