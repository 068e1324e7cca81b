import type { StartedHttpService } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import request from 'supertest';
import { ADMIN, TestMesh } from './support/test-mesh';

const anEvent = () => ({
  action: 'event',
  event: { name: 'revocation-check', data: 'checked at the edge' },
});

/** Auth's RabbitMQ URL with a password RabbitMQ refuses: its link never comes up. */
function withWrongPassword(vhostUrl: string): string {
  const url = new URL(vhostUrl);
  url.password = 'not-the-password';
  return url.toString();
}

/**
 * Auth cannot publish revocation notices (its own RabbitMQ user refused, a network policy, or
 * mid-reconnect) while the broker's link is up: the broker must still learn each revocation from
 * auth's catch-up list within about a second, tokens and API keys alike.
 */
describe('broker: revocation while auth cannot reach RabbitMQ', () => {
  let mesh: TestMesh;
  let broker: StartedHttpService;

  beforeAll(async () => {
    mesh = await TestMesh.start({ withLogger: false, authAmqpUrl: withWrongPassword });
    broker = await mesh.startBroker();
  }, 120_000);
  afterAll(() => mesh?.close());

  const post = (credential: Record<string, string>) =>
    request(broker.address.url).post('/handle').set(credential).send(anEvent());

  it('When a user logs out, then within 2 s the connected broker refuses the old token', async () => {
    const someone = await mesh.createUser('user');
    const asToken = () => post({ authorization: `Bearer ${someone.token}` });
    expect((await asToken()).status).toBe(503); // no queue bound: 503, but past the edge

    const loggedOut = await request(mesh.auth.url)
      .post('/api/auth/logout')
      .set('authorization', `Bearer ${someone.token}`);
    const started = Date.now();
    const refused = await waitFor(
      async () => {
        const res = await asToken();
        return res.status === 401 ? res : undefined;
      },
      { timeoutMs: 2_000, intervalMs: 50, what: 'the broker refusing the revoked token' },
    );

    expect(loggedOut.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(refused.body).toEqual({ error: true, message: 'token has been revoked' });
  });

  it('When an API key the broker has cached is revoked, then within 2 s the broker refuses it', async () => {
    const { key, id } = await mesh.createApiKey('user');
    const withKey = () => post({ 'x-api-key': key });
    expect((await withKey()).status).toBe(503); // accepted at the edge, and now cached
    const adminToken = await mesh.login(ADMIN.email, ADMIN.password);

    const revoked = await request(mesh.auth.url)
      .delete(`/api/keys/${id}`)
      .set('authorization', `Bearer ${adminToken}`);
    const started = Date.now();
    const refused = await waitFor(
      async () => {
        const res = await withKey();
        return res.status === 401 ? res : undefined;
      },
      { timeoutMs: 2_000, intervalMs: 50, what: 'the broker refusing the revoked key' },
    );

    expect(revoked.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(refused.body).toEqual({ error: true, message: 'invalid API key' });
  });
});
