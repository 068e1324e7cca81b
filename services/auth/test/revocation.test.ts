import { createTestVhost, waitFor, type TestVhost } from '@micromesh/kit/testing';
import { REVOCATIONS_EXCHANGE } from '@micromesh/contracts';
import request from 'supertest';
import {
  ADMIN,
  createUser,
  startAuthHarness,
  tokenFor,
  type AuthHarness,
} from './support/auth-harness';
import { aUser } from './support/factories';

const bearer = (token: string) => `Bearer ${token}`;

describe('token revocation at auth', () => {
  let h: AuthHarness;
  let vhost: TestVhost;
  let adminToken: string;
  const NOTICES = 'revocation-notices-seen';

  /** Binds a queue to the fanout exchange through the management API. */
  async function bindNoticeQueue(): Promise<void> {
    const v = encodeURIComponent(vhost.name);
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${vhost.managementUrl}${path}`, {
        method,
        headers: { authorization: vhost.authHeader, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status}`);
    };
    await call('PUT', `/exchanges/${v}/${REVOCATIONS_EXCHANGE}`, { type: 'fanout', durable: true });
    await call('PUT', `/queues/${v}/${NOTICES}`, { durable: true });
    await call('POST', `/bindings/${v}/e/${REVOCATIONS_EXCHANGE}/q/${NOTICES}`, {});
  }

  async function takeNotices(): Promise<unknown[]> {
    const v = encodeURIComponent(vhost.name);
    const res = await fetch(`${vhost.managementUrl}/queues/${v}/${NOTICES}/get`, {
      method: 'POST',
      headers: { authorization: vhost.authHeader, 'content-type': 'application/json' },
      body: JSON.stringify({ count: 50, ackmode: 'ack_requeue_false', encoding: 'auto' }),
    });
    const messages = (await res.json()) as { payload: string }[];
    return messages.map((m) => JSON.parse(m.payload) as unknown);
  }

  beforeAll(async () => {
    vhost = await createTestVhost('auth-revocations');
    await bindNoticeQueue();
    h = await startAuthHarness('auth_revocation', { AMQP_URL: vhost.url });
    adminToken = await tokenFor(h.url, ADMIN);
  });
  afterAll(async () => {
    await h.close();
    await vhost.drop();
  });

  async function aSignedInUser() {
    const body = aUser();
    const user = await createUser(h.url, adminToken, body);
    return { ...user, password: body.password, token: await tokenFor(h.url, body) };
  }
  const me = (token: string, id: string) =>
    request(h.url).get(`/api/users/${id}`).set('authorization', bearer(token));

  describe('PATCH /api/users/:id — own password', () => {
    it('When a user changes its password without current_password, then 400 and the old password still works', async () => {
      const user = await aSignedInUser();

      const res = await request(h.url)
        .patch(`/api/users/${user.id}`)
        .set('authorization', bearer(user.token))
        .send({ password: 'a brand new password' });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ path: 'current_password', message: 'is required' }]);
      expect((await me(user.token, user.id)).status).toBe(200);
    });

    it('When the current password is wrong, then 403 and nothing changes', async () => {
      const user = await aSignedInUser();

      const res = await request(h.url)
        .patch(`/api/users/${user.id}`)
        .set('authorization', bearer(user.token))
        .send({ password: 'a brand new password', current_password: 'not my password' });

      expect(res.status).toBe(403);
      expect((await me(user.token, user.id)).status).toBe(200);
    });

    it('When the current password is right, then the change is stored, every older token is revoked and a notice is announced', async () => {
      const user = await aSignedInUser();
      const otherSession = await tokenFor(h.url, user);

      const res = await request(h.url)
        .patch(`/api/users/${user.id}`)
        .set('authorization', bearer(user.token))
        .send({ password: 'a brand new password', current_password: user.password });

      expect(res.status).toBe(200);
      for (const old of [user.token, otherSession]) {
        const refused = await me(old, user.id);
        expect(refused.status).toBe(401);
        expect(refused.body.message).toBe('token has been revoked');
      }
      const fresh = await tokenFor(h.url, { email: user.email, password: 'a brand new password' });
      expect((await me(fresh, user.id)).status).toBe(200);
      const notices = await waitFor(
        async () => {
          const got = (await takeNotices()).filter(
            (n) => (n as { user_id?: string }).user_id === user.id,
          );
          return got.length > 0 ? got : undefined;
        },
        { what: 'the revocation notice' },
      );
      expect(notices).toEqual([{ type: 'user', user_id: user.id, min_version: 2 }]);
    });
  });

  describe('changes an admin makes', () => {
    it('When an admin changes a user’s role, then the user’s older tokens are revoked', async () => {
      const user = await aSignedInUser();

      const res = await request(h.url)
        .patch(`/api/users/${user.id}`)
        .set('authorization', bearer(adminToken))
        .send({ role: 'admin' });

      expect(res.status).toBe(200);
      expect((await me(user.token, user.id)).status).toBe(401);
    });

    it('When a user is deactivated and reactivated, then the token from before stays revoked', async () => {
      const user = await aSignedInUser();
      const patch = (active: boolean) =>
        request(h.url)
          .patch(`/api/users/${user.id}`)
          .set('authorization', bearer(adminToken))
          .send({ active });

      expect((await patch(false)).status).toBe(200);
      expect((await patch(true)).status).toBe(200);

      const res = await me(user.token, user.id);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('token has been revoked');
    });

    it('When only a name changes, then tokens stay valid', async () => {
      const user = await aSignedInUser();

      await request(h.url)
        .patch(`/api/users/${user.id}`)
        .set('authorization', bearer(user.token))
        .send({ first_name: 'Grace' });

      expect((await me(user.token, user.id)).status).toBe(200);
    });

    it('When a user is deleted, then /internal/revocations lists every version of theirs as revoked', async () => {
      const user = await aSignedInUser();

      const deleted = await request(h.url)
        .delete(`/api/users/${user.id}`)
        .set('authorization', bearer(adminToken));
      const list = await request(h.url).get('/internal/revocations');

      expect(deleted.status).toBe(200);
      expect(list.status).toBe(200);
      expect(list.headers['cache-control']).toBe('no-store');
      expect(list.body.data.revocations).toContainEqual({
        user_id: user.id,
        min_version: 2_147_483_647,
      });
    });
  });

  describe('GET /internal/revocations', () => {
    const catchUp = (query = '') => request(h.url).get(`/internal/revocations${query}`);

    it('When an API key is revoked, then the list names its id, so a broker that missed the notice drops it', async () => {
      const user = await aSignedInUser();
      const created = await request(h.url)
        .post('/api/keys')
        .set('authorization', bearer(user.token))
        .send({ name: 'leaked' });
      const keyId = created.body.data.api_key.id as string;

      await request(h.url).delete(`/api/keys/${keyId}`).set('authorization', bearer(user.token));
      const list = await catchUp();

      expect(list.status).toBe(200);
      expect(list.body.data.key_ids).toContain(keyId);
    });

    it('When a cursor from an earlier answer is passed back, then only what was revoked since is listed', async () => {
      const earlier = await aSignedInUser();
      await request(h.url).post('/api/auth/logout').set('authorization', bearer(earlier.token));
      // A minute old: inside the window, well before the cursor (and its margin for slow commits).
      await h.pool.query(
        `UPDATE token_revocations SET revoked_at = now() - interval '1 minute' WHERE user_id = $1`,
        [earlier.id],
      );
      const first = await catchUp();
      const later = await aSignedInUser();
      await request(h.url).post('/api/auth/logout').set('authorization', bearer(later.token));

      const next = await catchUp(`?after=${encodeURIComponent(first.body.data.cursor)}`);

      const users = (res: typeof first) =>
        res.body.data.revocations.map((r: { user_id: string }) => r.user_id);
      expect(users(first)).toContain(earlier.id);
      expect(next.status).toBe(200);
      expect(users(next)).toContain(later.id);
      expect(users(next)).not.toContain(earlier.id);
    });

    it('When the cursor is not an ISO time, then 400', async () => {
      const res = await catchUp('?after=yesterday');

      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toBe('after');
    });
  });

  describe('POST /api/auth/logout', () => {
    it('When a user logs out, then 200 and every token of theirs is refused, while a new login works', async () => {
      const user = await aSignedInUser();

      const res = await request(h.url)
        .post('/api/auth/logout')
        .set('authorization', bearer(user.token));

      expect(res.status).toBe(200);
      expect((await me(user.token, user.id)).status).toBe(401);
      expect((await me(await tokenFor(h.url, user), user.id)).status).toBe(200);
    });

    it('When the credential is an API key, then 400: keys are revoked one by one', async () => {
      const user = await aSignedInUser();
      const created = await request(h.url)
        .post('/api/keys')
        .set('authorization', bearer(user.token))
        .send({ name: 'cli' });

      const res = await request(h.url)
        .post('/api/auth/logout')
        .set('x-api-key', created.body.data.key);

      expect(res.status).toBe(400);
    });

    it('When nobody is signed in, then 401', async () => {
      expect((await request(h.url).post('/api/auth/logout')).status).toBe(401);
    });
  });

  describe('POST /authenticate', () => {
    it('When a token is issued, then the answer says no-store and the token carries scope and ver', async () => {
      const res = await request(h.url).post('/authenticate').send(ADMIN);

      expect(res.headers['cache-control']).toBe('no-store');
      const token = res.body.data.token.access_token as string;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      expect(claims.scope.split(' ')).toContain('users:admin');
      expect(Number.isInteger(claims.ver)).toBe(true);
    });
  });
});
