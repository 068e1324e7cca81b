import { failureMessage, type BrokerClient } from '../broker-client';
import { byId, h } from '../dom';

export interface ServiceHealth {
  name: string;
  ready: boolean;
  detail?: string;
  latencyMs?: number;
}

const DISPLAY_NAMES: Record<string, string> = { rabbitmq: 'RabbitMQ' };

const READY_WORDS = new Set(['ok', 'up', 'ready', 'healthy', 'serving', 'pass']);

function readiness(value: unknown): { ready: boolean; detail?: string; latencyMs?: number } {
  if (typeof value === 'boolean') return { ready: value };
  if (typeof value === 'string')
    return { ready: READY_WORDS.has(value.toLowerCase()), detail: value };
  const v = (value ?? {}) as Record<string, unknown>;
  const status = typeof v.status === 'string' ? v.status : undefined;
  const ready =
    typeof v.ok === 'boolean'
      ? v.ok
      : typeof v.ready === 'boolean'
        ? v.ready
        : status
          ? READY_WORDS.has(status.toLowerCase())
          : false;
  const latency = v.ms ?? v.latencyMs ?? v.latency_ms;
  const error = typeof v.error === 'string' ? v.error : undefined;
  return {
    ready,
    detail:
      error ??
      (typeof v.message === 'string' ? v.message : undefined) ??
      status ??
      (typeof v.status === 'number' ? `HTTP ${v.status}` : undefined),
    latencyMs: typeof latency === 'number' ? latency : undefined,
  };
}

/** Reads /api/health's data: a map or a list of services, each with ready/status. */
export function toServiceHealth(body: unknown): ServiceHealth[] {
  const data = ((body as { data?: unknown } | null)?.data ?? body) as Record<string, unknown>;
  const services = (data?.services ?? data?.checks ?? data) as unknown;
  if (Array.isArray(services)) {
    return services.map((s: Record<string, unknown>) => ({
      name: String(s.name ?? s.service ?? '?'),
      ...readiness(s),
    }));
  }
  if (services && typeof services === 'object') {
    return Object.entries(services as Record<string, unknown>)
      .filter(([name]) => !['ready', 'status', 'checkedAt', 'timestamp'].includes(name))
      .map(([name, value]) => ({ name, ...readiness(value) }));
  }
  return [];
}

/** Each service's readiness as the broker sees it, refreshed every few seconds. */
export class HealthPanel {
  private readonly list = byId('health-list');
  private readonly summary = byId('health-summary');
  private readonly headerChip = byId('mesh-chip');
  private timer: number | undefined;
  private loadedOnce = false;

  constructor(
    private readonly client: BrokerClient,
    private readonly signedIn: () => boolean,
  ) {
    byId('health-refresh').addEventListener('click', () => void this.refresh());
  }

  start(): void {
    window.clearInterval(this.timer);
    void this.refresh();
    this.timer = window.setInterval(() => void this.refresh(), 10_000);
  }

  async refresh(): Promise<void> {
    if (!this.signedIn()) {
      this.loadedOnce = false;
      this.setChip('idle', 'Sign in to check the mesh');
      this.summary.textContent = '';
      this.list.replaceChildren(
        h('li', { class: 'empty' }, 'Sign in to see each service’s readiness.'),
      );
      return;
    }
    if (!this.loadedOnce) {
      this.list.replaceChildren(
        ...Array.from({ length: 6 }, () => h('li', { class: 'skeleton' }, h('span'), h('span'))),
      );
    }
    const exchange = await this.client.send('GET', '/api/health');
    const services = exchange.status === 0 ? [] : toServiceHealth(exchange.body);
    if (!services.length) {
      this.loadedOnce = false;
      this.setChip('bad', 'Broker unreachable');
      this.summary.textContent = '';
      this.list.replaceChildren(
        h(
          'li',
          { class: 'error' },
          `Could not read the mesh’s health: ${failureMessage(exchange)}.`,
        ),
      );
      return;
    }
    this.loadedOnce = true;
    const ready = services.filter((s) => s.ready).length;
    const all = ready === services.length;
    this.setChip(
      all ? 'ok' : 'warn',
      all ? 'All services ready' : `${services.length - ready} not ready`,
    );
    this.summary.textContent = `${ready} of ${services.length} ready · ${new Date().toLocaleTimeString()}`;
    this.list.replaceChildren(
      ...services.map((service) =>
        h(
          'li',
          { 'data-service': service.name, 'data-ready': String(service.ready) },
          h('span', {
            class: `dot ${service.ready ? 'dot-ok' : 'dot-bad'}`,
            'aria-hidden': 'true',
          }),
          h('span', { class: 'svc-name' }, DISPLAY_NAMES[service.name] ?? service.name),
          h(
            'span',
            { class: 'svc-state' },
            service.ready ? 'Ready' : service.detail ? `Down · ${service.detail}` : 'Not ready',
            service.latencyMs !== undefined
              ? h('span', { class: 'muted' }, ` ${service.latencyMs} ms`)
              : null,
          ),
        ),
      ),
    );
  }

  private setChip(tone: 'ok' | 'warn' | 'bad' | 'idle', text: string): void {
    this.headerChip.replaceChildren(
      h('span', { class: `dot dot-${tone}`, 'aria-hidden': 'true' }),
      text,
    );
  }
}
