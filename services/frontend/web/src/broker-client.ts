import type { Session } from './session';

/** One request/response pair, as shown in the Sent and Received panes. */
export interface Exchange {
  method: string;
  path: string;
  requestBody?: unknown;
  /** 0 when the broker could not be reached at all. */
  status: number;
  ok: boolean;
  body: unknown;
  durationMs: number;
}

export interface Envelope<T = unknown> {
  error: boolean;
  message: string;
  data?: T;
}

export function isEnvelope(value: unknown): value is Envelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Envelope).error === 'boolean' &&
    typeof (value as Envelope).message === 'string'
  );
}

/** The message a failed exchange should show people: the envelope's, else a plain fallback. */
export function failureMessage(exchange: Exchange): string {
  if (isEnvelope(exchange.body) && exchange.body.message) return exchange.body.message;
  return exchange.status === 0 ? 'the broker is unreachable' : `HTTP ${exchange.status}`;
}

type ExchangeListener = (exchange: Exchange) => void;

/** Talks to the broker; every call carries the session's token when there is one. */
export class BrokerClient {
  private readonly listeners = new Set<ExchangeListener>();

  constructor(
    readonly baseUrl: string,
    private readonly session: Session,
  ) {}

  /** Listeners see every exchange made with `{ announce: true }` (the tester's panes). */
  onExchange(listener: ExchangeListener): void {
    this.listeners.add(listener);
  }

  url(path: string, query?: URLSearchParams): string {
    const qs = query && [...query.keys()].length ? `?${query.toString()}` : '';
    return `${this.baseUrl}${path}${qs}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.session.token;
    return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
  }

  async send(
    method: string,
    path: string,
    options: { body?: unknown; query?: URLSearchParams; announce?: boolean } = {},
  ): Promise<Exchange> {
    const started = performance.now();
    const hasBody = options.body !== undefined;
    let exchange: Exchange;
    try {
      const res = await fetch(this.url(path, options.query), {
        method,
        headers: this.headers({
          Accept: 'application/json',
          ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        }),
        body: hasBody ? JSON.stringify(options.body) : undefined,
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // Not JSON (a proxy's error page, say): show the text as it came.
      }
      exchange = { method, path, status: res.status, ok: res.ok, body, durationMs: 0 };
      // A 401 to a request that carried a token means the token expired or was revoked; a failed
      // login (the auth action) says nothing about the current session.
      const isLogin = (options.body as { action?: unknown } | undefined)?.action === 'auth';
      if (res.status === 401 && this.session.token && !isLogin) this.session.signOut();
    } catch (err) {
      exchange = {
        method,
        path,
        status: 0,
        ok: false,
        body: { error: true, message: `could not reach the broker (${(err as Error).message})` },
        durationMs: 0,
      };
    }
    exchange.durationMs = Math.round(performance.now() - started);
    if (hasBody) exchange.requestBody = options.body;
    if (options.announce) for (const listener of this.listeners) listener(exchange);
    return exchange;
  }
}
