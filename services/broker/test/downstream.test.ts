import { AppError } from '@micromesh/kit';
import { captureLogs } from '@micromesh/kit/testing';
import { Downstream } from '../src/adapters/downstream';

const refused = () => Promise.reject(new Error('connect ECONNREFUSED'));

describe('Downstream (deadline + circuit breaker per service)', () => {
  it('When calls keep failing, then the circuit opens and later calls get 503 without being made', async () => {
    const changes: boolean[] = [];
    const downstream = new Downstream('logger', {
      failures: 3,
      halfOpenAfterMs: 60_000,
      logger: captureLogs('broker', 'silent').logger,
      onOpenChange: (_name, open) => changes.push(open),
    });
    let calls = 0;
    const attempt = () => {
      calls++;
      return refused();
    };

    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await downstream.call(attempt, { timeoutMs: 1_000 }).catch((e: unknown) => e));
    }

    expect(outcomes.map((e) => (e as AppError).status)).toEqual([503, 503, 503, 503, 503]);
    expect((outcomes[4] as AppError).message).toBe('logger unavailable');
    expect((outcomes[4] as AppError).headers).toEqual({ 'retry-after': '60' });
    expect((outcomes[0] as AppError).headers).toBeUndefined();
    expect(calls).toBe(3);
    expect(downstream.isOpen).toBe(true);
    expect(changes).toEqual([true]);
  });

  it('When the downstream answers a 4xx, then it is relayed and never trips the circuit', async () => {
    const downstream = new Downstream('mail', {
      failures: 1,
      halfOpenAfterMs: 60_000,
      logger: captureLogs('broker', 'silent').logger,
    });

    const first = await downstream
      .call(() => Promise.reject(AppError.badRequest('bad address')), { timeoutMs: 1_000 })
      .catch((e: unknown) => e);
    const second = await downstream.call(() => Promise.resolve('sent'), { timeoutMs: 1_000 });

    expect((first as AppError).status).toBe(400);
    expect(second).toBe('sent');
    expect(downstream.isOpen).toBe(false);
  });

  it('When an attempt outlives its deadline, then its signal aborts and the caller gets 503', async () => {
    const downstream = new Downstream('auth', {
      failures: 5,
      halfOpenAfterMs: 60_000,
      logger: captureLogs('broker', 'silent').logger,
    });
    let aborted = false;

    const outcome = await downstream
      .call(
        (signal) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason as Error);
            });
          }),
        { timeoutMs: 50 },
      )
      .catch((e: unknown) => e);

    expect(aborted).toBe(true);
    expect((outcome as AppError).status).toBe(503);
  });
});
