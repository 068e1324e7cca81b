import { AppError } from '@micromesh/kit';
import { WorkGate } from '../src/adapters/work-gate';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('WorkGate (bounded bcrypt concurrency)', () => {
  it('When more tasks arrive than the limit, then they wait their turn and never run together', async () => {
    const gate = new WorkGate(1, 10);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const steps = [deferred(), deferred(), deferred()];
    const tasks = steps.map((step, i) =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await step.promise;
        running--;
      }),
    );
    expect(gate.active).toBe(1);
    expect(gate.queued).toBe(2);
    for (const step of steps) step.resolve();
    await Promise.all(tasks);
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2]);
    expect(gate.active).toBe(0);
  });

  it('When the queue is full, then the next task is refused at once with 503 and Retry-After', async () => {
    const gate = new WorkGate(1, 1);
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const second = gate.run(() => Promise.resolve('ran'));

    const refused = await gate.run(() => Promise.resolve('never')).catch((err: unknown) => err);

    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(() => gate.assertRoom()).toThrow('too many logins in progress');
    hold.resolve();
    await first;
    expect(await second).toBe('ran');
  });

  it('When a task fails, then its slot is still handed on', async () => {
    const gate = new WorkGate(1, 5);
    const failing = gate.run(() => Promise.reject(new Error('bcrypt exploded')));
    const next = gate.run(() => Promise.resolve('next ran'));
    await expect(failing).rejects.toThrow('bcrypt exploded');
    expect(await next).toBe('next ran');
    expect(gate.active).toBe(0);
  });
});
