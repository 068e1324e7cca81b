import type { StartedHttpService } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import request from 'supertest';
import { ADMIN, TestMesh } from './support/test-mesh';

/**
 * Auth with room for one login at a time and no queue, each login a slow bcrypt compare: a second
 * login while one is hashing is refused by auth with 503 + Retry-After. The broker then holds that
 * answer for AUTH_OVERLOAD_HOLD_MS and gives it to the next logins itself.
 */
describe('broker: logins while auth is at capacity', () => {
  let mesh: TestMesh;
  let holding: StartedHttpService;
  let relayingAll: StartedHttpService;

  beforeAll(async () => {
    mesh = await TestMesh.start({
      withLogger: false,
      authEnv: { AUTH_HASH_CONCURRENCY: '1', AUTH_HASH_QUEUE_MAX: '0', AUTH_BCRYPT_COST: '13' },
    });
    [holding, relayingAll] = await Promise.all([
      mesh.startBroker({ AUTH_OVERLOAD_HOLD_MS: '1000', AUTH_RATE_LIMIT_POINTS: '1000' }),
      mesh.startBroker({ AUTH_OVERLOAD_HOLD_MS: '0', AUTH_RATE_LIMIT_POINTS: '1000' }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await mesh?.close();
  });

  /** Logins auth itself refused for capacity so far (its own request metrics). */
  async function refusedByAuth(): Promise<number> {
    const text = await (await fetch(`${mesh.auth.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_request_duration_seconds_count{') &&
          l.includes('route="/authenticate"') &&
          l.includes('status_code="503"'),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  }

  const login = (broker: StartedHttpService) =>
    request(broker.address.url)
      .post('/handle')
      .send({ action: 'auth', auth: { email: ADMIN.email, password: ADMIN.password } });

  /** Auth idle, then one login hashing in auth (its only slot). */
  async function occupyTheSlot(broker: StartedHttpService) {
    // Auth idle first: a login that gets the slot and completes.
    await waitFor(async () => ((await login(relayingAll)).status === 202 ? true : undefined), {
      what: 'auth idle',
      timeoutMs: 20_000,
    });
    const hashing = login(broker).then((res) => res);
    // Well within one compare at cost 13 (hundreds of ms), the login has taken the slot.
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Wrapped: returned bare from an async function, the promise would be awaited here.
    return { hashing };
  }

  it('When every broker login is relayed (hold 0), then auth answers each refusal itself', async () => {
    const { hashing } = await occupyTheSlot(relayingAll);
    const before = await refusedByAuth();
    const answers = [];
    for (let i = 0; i < 15; i++) answers.push(await login(relayingAll));

    expect(answers.map((a) => a.status)).toEqual(Array(15).fill(503));
    expect((await refusedByAuth()) - before).toBe(15);
    expect((await hashing).status).toBe(202);
  });

  it('When auth refused a login for capacity, then the broker answers the next ones the same 503 itself at the end of the hold, and auth decides again after it', async () => {
    const { hashing } = await occupyTheSlot(holding);
    const before = await refusedByAuth();
    const first = await login(holding);
    const started = performance.now();
    const flood = await Promise.all(Array.from({ length: 14 }, () => login(holding)));
    const waitedMs = performance.now() - started;

    for (const answer of [first, ...flood]) {
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({
        error: true,
        message: 'too many logins in progress, try again shortly',
      });
      expect(answer.headers['retry-after']).toBe('1');
    }
    // Auth saw the refusal that started the hold, not the rest of the flood...
    expect((await refusedByAuth()) - before).toBe(1);
    // ...which was answered when the hold (1 s) ended, not at once: a client retrying on every
    // refusal sends one login per hold, not thousands a second.
    expect(waitedMs).toBeGreaterThan(700);
    expect((await hashing).status).toBe(202);

    // Once the hold is over and auth has room, the next login is auth's to answer again.
    expect((await login(holding)).status).toBe(202);
  });
});
