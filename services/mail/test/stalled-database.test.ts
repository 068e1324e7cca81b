import { Client } from 'pg';
import { waitFor } from '@micromesh/kit/testing';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';

jest.setTimeout(60_000);

const MAX_PENDING = 5;

describe('POST /send while the database stalls an accept round', () => {
  let h: MailHarness;
  /** Holds the quota table's lock, so a round's quota statement waits (a stalled database). */
  let locker: Client;

  beforeAll(async () => {
    h = await startMailHarness('stalled', { MAIL_ACCEPT_MAX_PENDING: String(MAX_PENDING) });
    locker = new Client({ connectionString: h.db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await h?.close();
  });

  const storedCount = async () =>
    (await locker.query<{ n: number }>('SELECT count(*)::int AS n FROM mail_messages')).rows[0]!.n;

  /** Starts a stall: the next round's quota statement waits on the lock until `release`. */
  async function stallRounds(): Promise<{ release: () => Promise<void> }> {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE mail_quota_usage IN ACCESS EXCLUSIVE MODE');
    return { release: async () => void (await locker.query('ROLLBACK')) };
  }

  /** The accept round in flight is waiting on the lock (so later requests queue behind it). */
  const roundIsStalled = () =>
    waitFor(
      async () => {
        const { rows } = await locker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0]!.n > 0;
      },
      { timeoutMs: 10_000, what: 'the accept round waiting on the lock' },
    );

  it('When callers give up while their mail waits behind a stalled round, then their mail is never stored (nor sent) once the database answers', async () => {
    // Arrange
    const before = await storedCount();
    const stall = await stallRounds();
    const first = h
      .send()
      .send(aMailRequest())
      .then((res) => res.status);
    await roundIsStalled();

    // Act: the callers time out (the broker's MAIL_TIMEOUT_MS, a client's own) and close.
    const abandoned = await Promise.allSettled(
      Array.from({ length: 4 }, () => h.send().send(aMailRequest()).timeout(300)),
    );
    await stall.release();
    const firstStatus = await first;
    // One round at a time, in order: once a later mail is answered, every earlier round is done.
    const later = await h.send().send(aMailRequest());

    // Assert
    expect(abandoned.map((a) => a.status)).toEqual(Array(4).fill('rejected'));
    expect(firstStatus).toBe(202);
    expect(later.status).toBe(202);
    expect((await storedCount()) - before).toBe(2);
  });

  it('When MAIL_ACCEPT_MAX_PENDING requests already wait behind a stalled round, then the next is answered 503 at once and the waiting ones are stored', async () => {
    // Arrange
    const before = await storedCount();
    const stall = await stallRounds();
    const first = h
      .send()
      .send(aMailRequest())
      .then((res) => res.status);
    await roundIsStalled();

    // Act: one more than may wait; whichever arrives last is over the bound.
    const answered: number[] = [];
    const queued = Array.from({ length: MAX_PENDING + 1 }, () =>
      h
        .send()
        .send(aMailRequest())
        .then((res) => {
          answered.push(res.status);
          return res;
        }),
    );
    await waitFor(() => answered.length > 0, {
      timeoutMs: 5_000,
      what: 'an answer while the round is still stalled',
    });
    const answeredWhileStalled = [...answered];
    await stall.release();
    const responses = await Promise.all(queued);

    // Assert
    expect(answeredWhileStalled).toEqual([503]);
    const refused = responses.filter((res) => res.status === 503);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.body.message).toMatch(/overloaded/);
    expect(responses.filter((res) => res.status === 202)).toHaveLength(MAX_PENDING);
    expect(await first).toBe(202);
    expect((await storedCount()) - before).toBe(1 + MAX_PENDING);
  });
});
