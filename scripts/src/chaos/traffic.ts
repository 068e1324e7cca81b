import { setTimeout as sleep } from 'node:timers/promises';

export type Action = 'log' | 'event' | 'mail';

export interface RequestOutcome {
  key: string;
  action: Action;
  /** accepted: a 2xx came back (maybe after retries); refused: a final 4xx, or retries ran out. */
  outcome: 'accepted' | 'refused';
  status: number | 'no answer';
  attempts: number;
}

export interface TrafficOptions {
  brokerUrl: string;
  token: string;
  /** A word unique to this run: every record it causes carries it, so it can be counted. */
  runId: string;
  clients: number;
  durationMs: number;
  /** Relative weights of the actions. */
  mix: Partial<Record<Action, number>>;
  /** How long one request is retried (as a client with a deadline would) before giving up. */
  retryForMs: number;
  /** Pause between a client's requests (bounds the load). */
  pauseMs?: number;
  /** Stop sending new requests when it aborts (requests under way still finish). */
  abort?: AbortSignal;
}

/** The body an action sends; the key is in its text so copies can be counted where they land. */
export function actionBody(action: Action, runId: string, key: string): Record<string, unknown> {
  const text = `${runId} ${key}`;
  switch (action) {
    case 'log':
      return { action, log: { name: 'chaos', data: text, level: 'INFO' } };
    case 'event':
      return { action, event: { name: 'chaos', data: text, level: 'INFO' } };
    case 'mail':
      return {
        action,
        mail: { to: 'chaos@example.com', subject: `chaos ${runId} key=${key}`, message: text },
      };
  }
}

function pick(mix: Partial<Record<Action, number>>, n: number): Action {
  const entries = Object.entries(mix).filter(([, w]) => (w ?? 0) > 0) as [Action, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = (n * 7919) % total; // deterministic spread, no randomness to reproduce
  for (const [action, weight] of entries) {
    if (r < weight) return action;
    r -= weight;
  }
  return entries[0]?.[0] ?? 'log';
}

const RETRYABLE = (status: number) => status >= 500 || status === 429 || status === 408;

/**
 * One request as a careful client makes it: the same Idempotency-Key and body on every attempt;
 * retried on no answer, 5xx, 408 and 429 (after Retry-After when given, else a growing pause)
 * until `retryForMs` has passed; a 2xx or another 4xx is final.
 */
export async function sendWithRetries(
  brokerUrl: string,
  token: string,
  key: string,
  body: Record<string, unknown>,
  retryForMs: number,
): Promise<{ status: number | 'no answer'; attempts: number }> {
  const deadline = Date.now() + retryForMs;
  let attempts = 0;
  let status: number | 'no answer' = 'no answer';
  for (;;) {
    attempts += 1;
    let retryAfterMs = 0;
    try {
      const res = await fetch(`${brokerUrl}/handle`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'idempotency-key': key,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      status = res.status;
      if (!RETRYABLE(res.status)) return { status, attempts };
      retryAfterMs = Number(res.headers.get('retry-after') ?? 0) * 1000;
    } catch {
      status = 'no answer';
    }
    const pause = Math.max(retryAfterMs, Math.min(2_000, 100 * 2 ** Math.min(attempts, 5)));
    if (Date.now() + pause > deadline) return { status, attempts };
    await sleep(pause);
  }
}

/** `clients` loops, each sending one request after another for `durationMs`. */
export async function drive(options: TrafficOptions): Promise<RequestOutcome[]> {
  const outcomes: RequestOutcome[] = [];
  const end = Date.now() + options.durationMs;
  let n = 0;
  const client = async (c: number) => {
    while (Date.now() < end && !options.abort?.aborted) {
      const i = n++;
      const action = pick(options.mix, i);
      const key = `k${c}x${i}`;
      const body = actionBody(action, options.runId, key);
      const { status, attempts } = await sendWithRetries(
        options.brokerUrl,
        options.token,
        key,
        body,
        options.retryForMs,
      );
      const accepted = typeof status === 'number' && status >= 200 && status < 300;
      outcomes.push({ key, action, outcome: accepted ? 'accepted' : 'refused', status, attempts });
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
  return outcomes;
}
