import { CliError, EXIT } from './exit-codes';
import { withSpinner } from './output';

export interface Envelope<T> {
  error: boolean;
  message: string;
  data?: T;
  details?: { path: string; message: string }[];
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Do not send the stored token (the login call). */
  anonymous?: boolean;
  timeoutMs?: number;
}

/** The broker's public API, as this CLI uses it: the envelope in, CliErrors with exit codes out. */
export class BrokerClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  url(path: string): string {
    return new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`).toString();
  }

  headers(extra: Record<string, string> = {}, anonymous = false): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.token && !anonymous ? { authorization: `Bearer ${this.token}` } : {}),
      ...extra,
    };
  }

  async call<T>(
    path: string,
    options: CallOptions = {},
  ): Promise<{ status: number; body: Envelope<T> }> {
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
    const headers = this.headers(
      {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      options.anonymous,
    );
    let res: Response;
    try {
      res = await withSpinner(
        `${method} ${path}`,
        fetch(this.url(path), {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        }),
      );
    } catch (err) {
      throw unreachable(this.baseUrl, err);
    }
    const text = await res.text();
    let body: Envelope<T>;
    try {
      body = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new CliError(
        `${method} ${path}: the broker answered ${res.status} without JSON`,
        res.status >= 500 ? EXIT.unavailable : EXIT.failed,
      );
    }
    if (!res.ok) throw refusal(res.status, body, res.headers.get('retry-after'));
    return { status: res.status, body };
  }
}

export function unreachable(baseUrl: string, err: unknown): CliError {
  const cause =
    err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new CliError(`the broker at ${baseUrl} did not answer in time`, EXIT.unavailable);
  }
  return new CliError(`cannot reach the broker at ${baseUrl} (${cause})`, EXIT.unavailable);
}

/** One line for a refused call, with the envelope's message and the first field it names. */
export function refusal(
  status: number,
  body: Envelope<unknown>,
  retryAfter: string | null,
): CliError {
  const detail = body.details?.[0];
  const field = detail ? ` (${detail.path}: ${detail.message})` : '';
  const message = `${body.message || `HTTP ${status}`}${field}`;
  if (status === 401) {
    const hint = /expired/i.test(message)
      ? 'your session has expired: run `micromesh login` again'
      : `${message}: run \`micromesh login\``;
    return new CliError(hint, EXIT.auth);
  }
  if (status === 403) return new CliError(`not allowed: ${message}`, EXIT.auth);
  if (status >= 500) return new CliError(`unavailable: ${message}`, EXIT.unavailable);
  if (status === 429) {
    return new CliError(
      `rate limited: ${message}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`,
      EXIT.failed,
    );
  }
  return new CliError(`${message} [${status}]`, EXIT.failed);
}
