import { randomUUID } from 'node:crypto';
import { waitFor } from '@micromesh/kit/testing';
import type { SupervisorEvent } from '../src/mesh/launcher';
import { call, findLogs, login } from './support/broker-api';
import { startTestMesh, type TestMesh } from './support/test-mesh';

// The launcher as scripts/up runs it (supervise: true): a service that dies is started again.
describe('the supervising launcher', () => {
  let mesh: TestMesh;
  let token: string;
  const events: SupervisorEvent[] = [];

  beforeAll(async () => {
    mesh = await startTestMesh('e2e_supervisor', {
      supervise: { initialDelayMs: 200 },
      onSupervisorEvent: (event) => events.push(event),
    });
    token = await login(mesh.brokerUrl);
  }, 150_000);
  afterAll(() => mesh?.stop(), 60_000);

  it('When the listener is SIGKILLed mid-stream, then it is restarted, ready within seconds, and every event accepted meanwhile is stored', async () => {
    const batch = `supervised-${randomUUID()}`;
    const send = async (i: number) => {
      const res = await call(mesh.brokerUrl, 'POST', '/handle', {
        token,
        body: { action: 'event', event: { name: batch, data: `${batch} n${i}`, level: 'INFO' } },
      });
      return res.status;
    };
    const before = mesh.mesh.process('listener');
    const accepted: number[] = [];
    for (let i = 0; i < 20; i += 1) if ((await send(i)) === 202) accepted.push(i);

    before?.kill('SIGKILL');
    await before?.exited;
    // Published while no listener runs: RabbitMQ holds them.
    for (let i = 20; i < 40; i += 1) if ((await send(i)) === 202) accepted.push(i);

    await waitFor(() => events.some((e) => e.kind === 'restarted' && e.service === 'listener'), {
      timeoutMs: 20_000,
      what: 'the listener restarted',
    });
    const crashed = events.find((e) => e.kind === 'crashed' && e.service === 'listener');
    expect(crashed).toMatchObject({ kind: 'crashed', service: 'listener', exit: 'SIGKILL' });
    const restarted = events.find((e) => e.kind === 'restarted' && e.service === 'listener');
    expect(restarted && restarted.kind === 'restarted' && restarted.readyAfterMs).toBeLessThan(
      10_000,
    );
    expect(mesh.mesh.process('listener')).not.toBe(before);
    expect(accepted).toHaveLength(40);

    await waitFor(async () => (await findLogs(mesh.loggerUrl, batch)).length >= 40, {
      timeoutMs: 20_000,
      what: 'every accepted event stored after the restart',
    });
    const stored = await findLogs(mesh.loggerUrl, batch);
    const seen = new Set(stored.map((s) => s.data));
    for (const i of accepted) expect(seen.has(`${batch} n${i}`)).toBe(true);
  });

  it('When a service is stopped on purpose (stopService), then the supervisor leaves it stopped', async () => {
    const count = events.length;
    await mesh.mesh.stopService('mail');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(events.slice(count).filter((e) => e.service === 'mail')).toEqual([]);
    await mesh.mesh.startService('mail');
  });
});
