import { CoalescingBatcher, pgErrorKind } from '@micromesh/kit';
import type { Pool } from 'pg';
import type { AcceptOutcome, NewMessage } from '../../domain/ports';
import {
  COLUMNS,
  toMessage,
  type MessageRepository,
  type MessageRow,
  type Quota,
} from './message-repository';

interface Pending {
  message: NewMessage;
  resolve: (outcome: AcceptOutcome) => void;
  reject: (err: unknown) => void;
}

/** A request's answer from its round: an outcome, or the failure that stopped the round. */
type Answer = AcceptOutcome | { kind: 'failed'; error: unknown };

type Period = 'minute' | 'day';

interface UsageRow {
  principal: string;
  period: Period;
  used: number;
  window_start: Date;
  reset_seconds: number;
}

/** The windows a batch counted in, per quota owner: what a give-back must name exactly. */
type Windows = Map<string, { period: Period; start: Date }[]>;

/** Largest number of mails stored by one statement. */
const MAX_BATCH = 200;

/**
 * Coalesces concurrent `accept`s into one round of statements: one lookup of the idempotency keys,
 * one quota update for every quota owner in the batch, one multi-row INSERT (one commit). While a
 * round runs, new requests wait and go together in the next: under load a mail costs a fraction
 * of a PostgreSQL round trip, and at low load a round holds one mail and nothing waits.
 * The answers are those of `MessageRepository.accept`, which handles the rare leftovers (a key
 * taken by a concurrent request, a data error) one by one.
 */
export class AcceptBatcher {
  // One round at a time (maxConcurrent 1): the requests of this turn of the event loop, and those
  // that arrive while a round runs, form the next round.
  // At most `maxPending` requests wait (beyond: BatcherOverloadedError, a 503); one whose request
  // closed before its round starts is dropped, never stored and sent after its caller got a 503.
  private readonly batcher: CoalescingBatcher<NewMessage, Answer>;

  constructor(
    private readonly pool: Pool,
    private readonly single: Pick<MessageRepository, 'accept'>,
    private readonly quota: Quota,
    maxPending?: number,
  ) {
    this.batcher = new CoalescingBatcher<NewMessage, Answer>({
      send: (messages) => this.round(messages),
      maxBatch: MAX_BATCH,
      maxConcurrent: 1,
      maxPending,
    });
  }

  async accept(message: NewMessage, signal?: AbortSignal): Promise<AcceptOutcome> {
    const answer = await this.batcher.submit(message, { signal });
    if (answer.kind === 'failed') throw answer.error;
    return answer;
  }

  /**
   * One round's answers, one per message. A request answered early in the round (a replay, over
   * quota) keeps its answer when a later statement of the round fails; the others get the failure.
   */
  private async round(messages: NewMessage[]): Promise<Answer[]> {
    const answers: (Answer | undefined)[] = messages.map(() => undefined);
    const batch = messages.map((message, i): Pending => ({
      message,
      resolve: (outcome) => (answers[i] ??= outcome),
      reject: (error) => (answers[i] ??= { kind: 'failed', error }),
    }));
    await this.run(batch).catch((error: unknown) => {
      for (const item of batch) item.reject(error);
    });
    return answers.map(
      (answer) =>
        answer ?? {
          kind: 'failed',
          error: new Error('the accept round left the request unanswered'),
        },
    );
  }

  private async run(batch: Pending[]): Promise<void> {
    const fresh = await this.resolveReplays(batch);
    if (fresh.length === 0) return;
    const { accepted, windows } = await this.takeQuota(fresh);
    if (accepted.length === 0) return;
    let rows: MessageRow[];
    try {
      rows = await this.insert(accepted.map((a) => a.message));
    } catch (err) {
      await this.giveBack(countBy(accepted), windows).catch(() => undefined);
      // SQLSTATE class 22 (data exception): one value PostgreSQL would not store.
      if (pgErrorKind(err) !== 'data') throw err;
      // One row the batch could not store: each goes alone, so only its own caller fails.
      await Promise.all(accepted.map((item) => this.alone(item)));
      return;
    }
    const stored = new Map(rows.map((row) => [row.id, row]));
    const leftovers = accepted.filter((item) => !stored.has(item.message.id));
    for (const item of accepted) {
      const row = stored.get(item.message.id);
      if (row) item.resolve({ kind: 'created', message: toMessage(row) });
    }
    if (leftovers.length === 0) return;
    // Keys another request took meanwhile (or twice in this batch): their count is given back,
    // and each is answered alone (a replay, as a rule).
    await this.giveBack(countBy(leftovers), windows);
    await Promise.all(leftovers.map((item) => this.alone(item)));
  }

  private alone(item: Pending): Promise<void> {
    return this.single.accept(item.message, this.quota).then(item.resolve, item.reject);
  }

  /** Answers the requests whose live key names a stored message; returns the others. */
  private async resolveReplays(batch: Pending[]): Promise<Pending[]> {
    const keyed = batch.filter((item) => item.message.idempotencyKey !== null);
    if (keyed.length === 0) return batch;
    const { rows } = await this.pool.query<MessageRow>(
      `SELECT ${COLUMNS} FROM mail_messages
       WHERE (principal, idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [keyed.map((i) => i.message.principal), keyed.map((i) => i.message.idempotencyKey)],
    );
    const expired = rows.filter((row) => row.idempotency_expired).map((row) => row.id);
    if (expired.length > 0) {
      await this.pool.query(
        `UPDATE mail_messages SET idempotency_key = NULL
         WHERE id = ANY($1::uuid[]) AND idempotency_expires_at <= now()`,
        [expired],
      );
    }
    const live = new Map(
      rows
        .filter((row) => !row.idempotency_expired)
        .map((row) => [`${row.principal}\n${row.idempotency_key ?? ''}`, row]),
    );
    return batch.filter((item) => {
      const row = live.get(`${item.message.principal}\n${item.message.idempotencyKey ?? ''}`);
      if (row && item.message.idempotencyKey !== null) {
        item.resolve({ kind: 'existing', message: toMessage(row) });
        return false;
      }
      return true;
    });
  }

  /**
   * Counts the batch against each quota owner's minute and day windows in one statement
   * (committed asynchronously, as in `MessageRepository`; the `principal` column holds the owner);
   * the first requests of an owner that fit are accepted, the rest answered over-quota and their
   * counts given back.
   */
  private async takeQuota(fresh: Pending[]): Promise<{ accepted: Pending[]; windows: Windows }> {
    const perOwner = countBy(fresh);
    const owners = [...perOwner.keys()].sort();
    const { rows } = await this.pool.query<UsageRow>(
      `INSERT INTO mail_quota_usage AS q (principal, period, window_start, used)
       SELECT t.principal, w.period,
              date_trunc(w.period, now(), 'UTC'), t.n
       FROM unnest($1::text[], $2::integer[]) AS t(principal, n)
       CROSS JOIN (VALUES ('minute'), ('day')) AS w(period)
       ORDER BY t.principal, w.period DESC
       ON CONFLICT (principal, period, window_start) DO UPDATE SET used = q.used + EXCLUDED.used
       RETURNING principal, period, used, window_start,
         ceil(extract(epoch FROM q.window_start
           + CASE q.period WHEN 'minute' THEN interval '1 minute' ELSE interval '1 day' END
           - now()))::integer AS reset_seconds,
         set_config('synchronous_commit', 'off', true) AS commit_mode`,
      [owners, owners.map((o) => perOwner.get(o) ?? 0)],
    );
    const limits: Record<Period, number> = { minute: this.quota.perMinute, day: this.quota.perDay };
    const accepted: Pending[] = [];
    const refused = new Map<string, number>();
    const windows: Windows = new Map();
    for (const row of rows) {
      windows.set(row.principal, [
        ...(windows.get(row.principal) ?? []),
        { period: row.period, start: row.window_start },
      ]);
    }
    for (const owner of owners) {
      const asked = perOwner.get(owner) ?? 0;
      const usage = rows.filter((r) => r.principal === owner);
      let fits = asked;
      let binding: UsageRow | undefined;
      for (const row of usage) {
        const room = Math.max(0, limits[row.period] - (row.used - asked));
        if (room < asked && (!binding || row.reset_seconds > binding.reset_seconds)) binding = row;
        fits = Math.min(fits, room);
      }
      const items = fresh.filter((item) => item.message.quotaOwner === owner);
      accepted.push(...items.slice(0, fits));
      if (fits < asked && binding) {
        refused.set(owner, asked - fits);
        const over: AcceptOutcome = {
          kind: 'over-quota',
          period: binding.period,
          limit: limits[binding.period],
          retryAfterSeconds: Math.max(1, binding.reset_seconds),
        };
        for (const item of items.slice(fits)) item.resolve(over);
      }
    }
    if (refused.size > 0) await this.giveBack(refused, windows);
    return { accepted, windows };
  }

  /** Takes back `n` from each quota owner's windows, exactly those the batch counted in. */
  private async giveBack(counts: Map<string, number>, windows: Windows): Promise<void> {
    const entries = [...counts.entries()].flatMap(([owner, n]) =>
      (windows.get(owner) ?? []).map((w) => ({ owner, n, ...w })),
    );
    if (entries.length === 0) return;
    await this.pool.query(
      `UPDATE mail_quota_usage AS q SET used = q.used - t.n
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::integer[])
         AS t(principal, period, window_start, n)
       WHERE q.principal = t.principal AND q.period = t.period
         AND q.window_start = t.window_start
         AND set_config('synchronous_commit', 'off', true) IS NOT NULL`,
      [
        entries.map((e) => e.owner),
        entries.map((e) => e.period),
        entries.map((e) => e.start),
        entries.map((e) => e.n),
      ],
    );
  }

  private async insert(messages: NewMessage[]): Promise<MessageRow[]> {
    // Durable on return (a normal commit): this is what the 202 promises.
    const { rows } = await this.pool.query<MessageRow>(
      `INSERT INTO mail_messages
         (id, principal, idempotency_key, idempotency_expires_at, payload_hash,
          sender, recipient, subject, body, status, enqueued, next_attempt_at)
       SELECT t.id, t.principal, t.key,
              CASE WHEN t.key IS NULL THEN NULL ELSE now() + make_interval(hours => t.ttl) END,
              t.hash, t.sender, t.recipient, t.subject, t.body, 'queued', true, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[],
                   $7::text[], $8::text[], $9::text[])
         AS t(id, principal, key, ttl, hash, sender, recipient, subject, body)
       ON CONFLICT (principal, idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        messages.map((m) => m.id),
        messages.map((m) => m.principal),
        messages.map((m) => m.idempotencyKey),
        messages.map((m) => m.idempotencyTtlHours),
        messages.map((m) => m.payloadHash),
        messages.map((m) => m.content.from),
        messages.map((m) => m.content.to),
        messages.map((m) => m.content.subject),
        messages.map((m) => m.content.message),
      ],
    );
    return rows;
  }
}

/** Requests per quota owner. */
function countBy(items: Pending[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { message } of items) {
    counts.set(message.quotaOwner, (counts.get(message.quotaOwner) ?? 0) + 1);
  }
  return counts;
}
