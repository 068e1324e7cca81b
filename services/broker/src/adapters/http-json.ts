import { AppError, propagationHeaders, type Envelope } from '@micromesh/kit';

export interface JsonReply {
  status: number;
  body: Envelope;
  headers: Headers;
}

export interface CallInit {
  method: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** 5xx statuses that are deliberate answers to relay (mail's 502 "refused for good"). */
  answers?: number[];
  /** The mesh fetch (kit `meshFetch`: presents the broker's certificate under mutual TLS). */
  fetch?: typeof fetch;
}

/**
 * One JSON call to a downstream service. 5xx (unless listed in `answers`) and unreadable answers
 * throw (an outage, counted by the breaker); any other status is returned for the caller to relay.
 */
export async function callJson(url: string, init: CallInit): Promise<JsonReply> {
  const res = await (init.fetch ?? fetch)(url, {
    method: init.method,
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...propagationHeaders(),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (res.status >= 500 && !init.answers?.includes(res.status)) {
    await res.body?.cancel();
    throw new Error(`${init.method} ${url} answered ${res.status}`);
  }
  let body: Envelope;
  try {
    body = (await res.json()) as Envelope;
  } catch (err) {
    throw new Error(`${init.method} ${url} answered ${res.status} without a JSON body`, {
      cause: err,
    });
  }
  if (typeof body !== 'object' || body === null || typeof body.message !== 'string') {
    throw new Error(`${init.method} ${url} answered ${res.status} without the envelope`);
  }
  return { status: res.status, body, headers: res.headers };
}

/** Relays a downstream 4xx as the broker's own answer, keeping its message, details and Retry-After. */
export function relayClientError(reply: JsonReply): AppError {
  const retryAfter = reply.headers.get('retry-after');
  return new AppError(reply.status, reply.body.message, {
    details: reply.body.details,
    headers: retryAfter ? { 'retry-after': retryAfter } : undefined,
  });
}
