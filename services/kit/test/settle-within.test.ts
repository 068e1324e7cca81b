import { settleWithin } from '@micromesh/kit';

describe('settleWithin (a bounded wait for a close)', () => {
  it('When the work never settles, then it gives up after the bound and says so', async () => {
    const started = Date.now();

    const settled = await settleWithin(new Promise(() => undefined), 50);

    expect(settled).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('When the work settles in time, fulfilled or rejected, then true and no rejection escapes', async () => {
    expect(await settleWithin(Promise.resolve('closed'), 1_000)).toBe(true);
    expect(await settleWithin(Promise.reject(new Error('close failed')), 1_000)).toBe(true);
  });
});
