import { failureMessage, type BrokerClient } from '../broker-client';
import { byId, h } from '../dom';
import { formatMs, serviceClass, toTraceSummaries, type TraceSummary } from '../trace-model';

const LIMIT = 10;

function ago(date: Date): string {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/**
 * "Slowest recent traces": the longest traces of the last hour (or only the failed ones), each
 * a link to its waterfall.
 */
export class TracesPanel {
  private readonly list = byId('trace-list');
  private readonly state = byId('trace-state');
  private readonly errorsOnly = byId<HTMLInputElement>('traces-errors');
  private seq = 0;

  constructor(
    private readonly client: BrokerClient,
    private readonly signedIn: () => boolean,
  ) {
    byId('traces-refresh').addEventListener('click', () => void this.load());
    this.errorsOnly.addEventListener('change', () => void this.load());
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    if (!this.signedIn()) {
      this.list.replaceChildren();
      this.show('Sign in as an admin to see traces.');
      return;
    }
    this.show('Loading traces…');
    const since = new Date(Date.now() - 60 * 60 * 1000).toISOString();
    const res = await this.client.send('GET', '/api/traces', {
      query: new URLSearchParams({
        sort: 'slowest',
        limit: String(LIMIT),
        since,
        ...(this.errorsOnly.checked ? { error: 'true' } : {}),
      }),
    });
    if (seq !== this.seq) return;
    if (!res.ok) {
      this.list.replaceChildren();
      this.show(
        res.status === 403
          ? 'Reading traces is an admin right.'
          : `Could not load traces: ${failureMessage(res)}.`,
      );
      return;
    }
    const traces = toTraceSummaries(res.body);
    const slowest = Math.max(1, ...traces.map((t) => t.durationMs));
    this.list.replaceChildren(...traces.map((t) => this.item(t, slowest)));
    if (traces.length) this.show('');
    else if (this.errorsOnly.checked) this.show('No failed request in the last hour.');
    else this.show('No traces in the last hour: send a few actions with the buttons above.');
  }

  private show(text: string): void {
    this.state.textContent = text;
    this.state.hidden = text === '';
  }

  private item(trace: TraceSummary, slowest: number): HTMLElement {
    const bar = h('span', { class: `trace-bar ${serviceClass(trace.rootService)}` });
    bar.style.setProperty('--width', `${((trace.durationMs / slowest) * 100).toFixed(2)}%`);
    return h(
      'li',
      { class: `trace-item${trace.error ? ' is-error' : ''}`, 'data-trace-id': trace.traceId },
      h(
        'a',
        { class: 'trace-link', href: `#trace=${trace.traceId}` },
        h(
          'span',
          { class: 'trace-root' },
          h('span', { class: `swatch ${serviceClass(trace.rootService)}` }),
          h('span', { class: 'trace-root-service' }, trace.rootService),
          h('span', { class: 'trace-root-name' }, trace.rootName),
          trace.error ? h('span', { class: 'badge-error' }, 'error') : null,
        ),
        h('span', { class: 'trace-bar-track' }, bar),
        h('span', { class: 'trace-dur' }, formatMs(trace.durationMs)),
        h(
          'span',
          { class: 'trace-facts' },
          `${trace.spanCount} span${trace.spanCount === 1 ? '' : 's'} · ${ago(trace.start)}`,
        ),
      ),
    );
  }
}
