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

  /** One login hashing in auth (its only slot), then `count` logins one after another. */
  async function floodWhileHashing(broker: StartedHttpService, count: number) {
    // Auth idle first: a login that gets the slot and completes.
    await waitFor(async () => ((await login(relayingAll)).status === 202 ? true : undefined), {
      what: 'auth idle',
      timeoutMs: 20_000,
    });
    const hashing = login(broker).then((res) => res);
    // Well within one compare at cost 13 (hundreds of ms), the login has taken the slot.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = await refusedByAuth();
    const answers = [];
    for (let i = 0; i < count; i++) answers.push(await login(broker));
    const refused = (await refusedByAuth()) - before;
    return { answers, refused, hashing: await hashing };
  }

  it('When every broker login is relayed (hold 0), then auth answers each refusal itself', async () => {
    const { answers, refused, hashing } = await floodWhileHashing(relayingAll, 15);
    expect(hashing.status).toBe(202);
    expect(answers.map((a) => a.status)).toEqual(Array(15).fill(503));
    expect(refused).toBe(15);
  });

  it('When auth refused a login for capacity, then the broker answers the next ones the same 503 itself, and auth decides again after the hold', async () => {
    const { answers, refused, hashing } = await floodWhileHashing(holding, 15);
    expect(hashing.status).toBe(202);
    expect(answers.map((a) => a.status)).toEqual(Array(15).fill(503));
    for (const answer of answers) {
      expect(answer.body).toEqual({
        error: true,
        message: 'too many logins in progress, try again shortly',
      });
      expect(answer.headers['retry-after']).toBe('1');
    }
    // Auth saw the refusal that started the hold, not the rest of the flood.
    expect(refused).toBe(1);

    // Once the hold is over and auth has room, the next login is auth's to answer again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await login(holding)).status).toBe(202);
  });
});
