import type { BrokerClient, Exchange } from '../broker-client';
import { byId, h } from '../dom';
import { jsonView } from '../json-view';
import type { LoginPanel } from './login-panel';
import { TEST_ACTIONS, type TestAction } from './test-actions';

const STATUS_TEXT: Record<number, string> = {
  0: 'No response',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Too Large',
  415: 'Unsupported',
  429: 'Too Many Requests',
  500: 'Server Error',
  502: 'Bad Gateway',
  503: 'Unavailable',
  504: 'Timeout',
};

/** Passwords are sent as typed but never shown on screen (screenshots, screen sharing). */
function masked(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key === 'password' && typeof v === 'string' ? '•'.repeat(8) : v,
    ),
  );
}

function statusTone(status: number): string {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500) return 'warn';
  return 'bad';
}

/** "Test microservices": one button per action, the last request and response side by side. */
export class TesterPanel {
  private readonly buttons = byId('test-actions');
  private readonly sent = byId('sent');
  private readonly sentMeta = byId('sent-meta');
  private readonly received = byId('received');
  private readonly receivedMeta = byId('received-meta');
  private readonly hint = byId('tester-hint');
  private busy = false;
  private shown = 0;

  constructor(
    private readonly client: BrokerClient,
    private readonly login: LoginPanel,
    private readonly signedIn: () => boolean,
  ) {
    for (const action of TEST_ACTIONS) this.buttons.append(this.button(action));
    client.onExchange((exchange) => this.show(exchange));
    this.showEmpty();
  }

  refreshHint(): void {
    this.hint.hidden = this.signedIn();
  }

  private button(action: TestAction): HTMLButtonElement {
    const button = h(
      'button',
      { type: 'button', class: 'action', 'data-action': action.id },
      h('span', { class: 'action-label' }, action.label),
      h('span', { class: 'action-hint' }, action.hint),
    );
    button.addEventListener('click', () => void this.run(action, button));
    return button;
  }

  private async run(action: TestAction, button: HTMLButtonElement): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    button.classList.add('is-busy');
    const body = action.body?.(this.login.credentials());
    this.showPending(action.method, action.path, body);
    try {
      const exchange = await this.client.send(action.method, action.path, {
        body,
        announce: true,
      });
      if (action.id === 'auth') this.login.adopt(exchange, this.login.credentials().email);
      this.revealResponse();
    } finally {
      this.busy = false;
      button.classList.remove('is-busy');
    }
  }

  /** On a phone the Received pane sits below the fold: bring the answer into view. */
  private revealResponse(): void {
    const pane = this.received.parentElement;
    if (!pane) return;
    const box = pane.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.innerHeight) return;
    const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    pane.scrollIntoView({ block: 'nearest', behavior: reduce ? 'auto' : 'smooth' });
  }

  private showEmpty(): void {
    this.sentMeta.replaceChildren();
    this.receivedMeta.replaceChildren();
    this.sent.replaceChildren(h('p', { class: 'pane-empty' }, 'Nothing sent yet.'));
    this.received.replaceChildren(
      h('p', { class: 'pane-empty' }, 'Press a button to send a request through the broker.'),
    );
  }

  private showPending(method: string, path: string, body: unknown): void {
    this.renderSent(method, path, body);
    this.received.dataset.state = 'loading';
    this.receivedMeta.replaceChildren(h('span', { class: 'badge' }, 'Waiting…'));
    this.received.replaceChildren(
      h('p', { class: 'pane-empty' }, h('span', { class: 'spinner' }), 'Waiting for the broker…'),
    );
  }

  private renderSent(method: string, path: string, body: unknown): void {
    this.sentMeta.replaceChildren(
      h('span', { class: 'method' }, method),
      h('span', { class: 'path' }, path),
    );
    this.sent.replaceChildren(
      body === undefined ? h('p', { class: 'pane-empty' }, '(no body)') : jsonView(masked(body)),
    );
  }

  private show(exchange: Exchange): void {
    this.renderSent(exchange.method, exchange.path, exchange.requestBody);
    const tone = statusTone(exchange.status);
    this.received.dataset.state = tone;
    this.received.dataset.status = String(exchange.status);
    // Lets tests (and people with devtools) tell one response from the next with the same status.
    this.received.dataset.exchange = String(++this.shown);
    this.receivedMeta.replaceChildren(
      h(
        'span',
        { class: `badge badge-${tone}` },
        exchange.status
          ? `${exchange.status} ${STATUS_TEXT[exchange.status] ?? ''}`
          : 'No response',
      ),
      h('span', { class: 'muted' }, `${exchange.durationMs} ms`),
    );
    this.received.replaceChildren(jsonView(exchange.body ?? '(empty body)'));
  }
}
