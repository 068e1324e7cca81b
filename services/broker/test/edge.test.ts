import type { StartedHttpService } from '@micromesh/kit';
import request from 'supertest';
import { specViolations } from './support/openapi-check';
import { bindTestQueue } from './support/event-queue';
import {
  hs256WithPublicKey,
  mintToken,
  newEd25519Key,
  tamperedToken,
  unsignedToken,
} from './support/signing-keys';
import { ADMIN, TestMesh, type MeshUser } from './support/test-mesh';

const QUEUE = 'broker-edge-auth-events';
const anEvent = (name = 'edge-auth-check') => ({
  action: 'event',
  event: { name, data: 'checked at the edge', level: 'info' },
});

describe('broker: authentication at the edge', () => {
  let mesh: TestMesh;
  let broker: StartedHttpService;
  let user: MeshUser;
  let admin: MeshUser;
  let queue: Awaited<ReturnType<typeof bindTestQueue>>;

  beforeAll(async () => {
    mesh = await TestMesh.start({ withLogger: false });
    queue = await bindTestQueue(mesh.vhost, QUEUE, ['log.#']);
    broker = await mesh.startBroker();
    [user, admin] = await Promise.all([mesh.createUser('user'), mesh.createUser('admin')]);
  }, 120_000);
  afterAll(() => mesh?.close());

  const handle = () => request(broker.address.url).post('/handle');

  describe('POST /handle', () => {
    it('When no credential is sent, then 401 asks for a Bearer token and nothing is published', async () => {
      const res = await handle().send(anEvent());

      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: true, message: 'authentication required' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(specViolations('/handle', 'post', res)).toEqual([]);
    });

    it('When the token comes from the auth action, then the event action is accepted', async () => {
      const login = await handle().send({
        action: 'auth',
        auth: { email: ADMIN.email, password: ADMIN.password },
      });
      const token = (login.body as { data: { token: { access_token: string } } }).data.token
        .access_token;

      const res = await handle().set('authorization', `Bearer ${token}`).send(anEvent());

      expect(login.status).toBe(202);
      expect(res.status).toBe(202);
    });

    it('When the same token is used again, then it is still accepted (served from the verified-claims cache)', async () => {
      const first = await handle().set('authorization', `Bearer ${user.token}`).send(anEvent());
      const second = await handle().set('authorization', `Bearer ${user.token}`).send(anEvent());

      expect([first.status, second.status]).toEqual([202, 202]);
    });

    it('When an active API key is sent, then the action is accepted', async () => {
      const { key } = await mesh.createApiKey('user');

      const res = await handle().set('x-api-key', key).send(anEvent());

      expect(res.status).toBe(202);
    });

    it('When an unknown API key is sent, then 401 "invalid API key"', async () => {
      const res = await handle().set('x-api-key', 'mm_not-a-real-key').send(anEvent());

      expect(res.status).toBe(401);
      expect(res.body.message).toBe('invalid API key');
    });

    const forged: [string, string, () => Promise<string> | string][] = [
      ['alg:none (unsigned)', 'invalid token', () => unsignedToken(mesh.signingKey)],
      [
        'HS256 signed with the public key',
        'invalid token',
        () => hs256WithPublicKey(mesh.signingKey),
      ],
      ['expired', 'token expired', () => mintToken(mesh.signingKey, { expiresIn: -60 })],
      ['without exp', 'invalid token', () => mintToken(mesh.signingKey, { expiresIn: null })],
      [
        'for another audience',
        'invalid token',
        () => mintToken(mesh.signingKey, { audience: 'someone-else' }),
      ],
      [
        'from another issuer',
        'invalid token',
        () => mintToken(mesh.signingKey, { issuer: 'evil-auth' }),
      ],
      [
        'with a tampered payload',
        'invalid token',
        async () => tamperedToken(await mintToken(mesh.signingKey)),
      ],
      [
        'signed by an unknown key (unknown kid)',
        'invalid token',
        () => mintToken(newEd25519Key('not-published')),
      ],
      [
        'carrying an unknown role',
        'invalid token',
        () => mintToken(mesh.signingKey, { role: 'root' as 'user' }),
      ],
      ['not a JWT at all', 'invalid authorization header', () => 'not-a-jwt'],
    ];

    it.each(forged)(
      'When the token is %s, then 401 "%s" and nothing is published',
      async (_, message, make) => {
        const res = await handle()
          .set('authorization', `Bearer ${await make()}`)
          .send(anEvent('must-not-arrive'));

        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: true, message });
        // A 202 comes only after RabbitMQ confirmed the routed message, so had this one been
        // published it would already sit in the queue.
        const queued = await queue.take(1_000);
        expect(queued.map((m) => JSON.parse(m.payload) as { name: string })).not.toContainEqual(
          expect.objectContaining({ name: 'must-not-arrive' }),
        );
      },
    );

    it('When a correctly signed token carries every required claim, then it is accepted (the forgeries above differ only in what they break)', async () => {
      const res = await handle()
        .set('authorization', `Bearer ${await mintToken(mesh.signingKey)}`)
        .send(anEvent());

      expect(res.status).toBe(202);
    });

    it('When the Authorization header is not a Bearer token, then 401', async () => {
      const res = await handle().set('authorization', 'Basic YWRtaW46YWRtaW4=').send(anEvent());

      expect(res.status).toBe(401);
      expect(res.body.message).toBe('invalid authorization header');
    });
  });

  describe('/api/users (users:admin, or one’s own record) and /api/keys (one’s own)', () => {
    it('When /api/users is listed without, with a user and with an admin credential, then 401, 403 and 200', async () => {
      const http = request(broker.address.url);

      const anonymous = await http.get('/api/users');
      const asUser = await http.get('/api/users').set('authorization', `Bearer ${user.token}`);
      const asAdmin = await http.get('/api/users').set('authorization', `Bearer ${admin.token}`);

      expect(anonymous.status).toBe(401);
      expect(asUser.status).toBe(403);
      expect(asUser.body).toEqual({ error: true, message: 'requires the users:admin scope' });
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body.error).toBe(false);
    });

    it('When a user reads its own record, then 200; someone else’s, then 403 at the edge', async () => {
      const http = request(broker.address.url);

      const own = await http
        .get(`/api/users/${user.id}`)
        .set('authorization', `Bearer ${user.token}`);
      const other = await http
        .get(`/api/users/${admin.id}`)
        .set('authorization', `Bearer ${user.token}`);

      expect(own.status).toBe(200);
      expect(other.status).toBe(403);
    });

    it('When a user lists and creates keys through the broker, then 200/201 with its own keys only', async () => {
      const http = request(broker.address.url);

      const created = await http
        .post('/api/keys')
        .set('authorization', `Bearer ${user.token}`)
        .send({ name: 'own key', scopes: ['logs:write'] });
      const listed = await http.get('/api/keys').set('authorization', `Bearer ${user.token}`);

      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      expect(listed.status).toBe(200);
      const owners = (listed.body.data.api_keys as { user_id: string }[]).map((k) => k.user_id);
      expect(new Set(owners)).toEqual(new Set([user.id]));
    });

    it('When a user-role API key calls /api/users, then 403; an admin-role key gets the list', async () => {
      const userKey = await mesh.createApiKey('user');
      const adminKey = await mesh.createApiKey('admin');
      const http = request(broker.address.url);

      const asUserKey = await http.get('/api/users').set('x-api-key', userKey.key);
      const asAdminKey = await http.get('/api/users').set('x-api-key', adminKey.key);

      expect(asUserKey.status).toBe(403);
      expect(asAdminKey.status).toBe(200);
      expect(JSON.stringify(asAdminKey.body.data)).toContain(ADMIN.email);
    });

    it('When an admin creates a user through the broker, then auth stores it and it can log in', async () => {
      const email = `proxied-${Date.now()}@broker-test.local`;

      const created = await request(broker.address.url)
        .post('/api/users')
        .set('authorization', `Bearer ${admin.token}`)
        .send({ email, password: 'proxied-password-1' });

      expect(created.status).toBe(201);
      expect(created.body.data.user.email).toBe(email);
      await expect(mesh.login(email, 'proxied-password-1')).resolves.toEqual(expect.any(String));
    });
  });

  describe('GET /api/health', () => {
    it('When called without a credential, then 401', async () => {
      const res = await request(broker.address.url).get('/api/health');

      expect(res.status).toBe(401);
    });

    it('When auth and RabbitMQ are up but mail, logger and listener are not, then each is reported', async () => {
      const res = await request(broker.address.url)
        .get('/api/health')
        .set('authorization', `Bearer ${user.token}`);

      expect(res.status).toBe(200);
      expect(specViolations('/api/health', 'get', res)).toEqual([]);
      expect(res.body.data.ready).toBe(false);
      expect(res.body.data.services).toMatchObject({
        auth: { ok: true, status: 200 },
        rabbitmq: { ok: true },
        mail: { ok: false },
        logger: { ok: false },
        listener: { ok: false },
      });
    });
  });

  describe('rate limits', () => {
    let limited: StartedHttpService;

    beforeAll(async () => {
      limited = await mesh.startBroker({
        RATE_LIMIT_POINTS: '3',
        RATE_LIMIT_WINDOW_S: '60',
        AUTH_RATE_LIMIT_POINTS: '2',
      });
    });

    it('When a client exceeds its limit, then each answer counts down and the next is 429 with Retry-After', async () => {
      const http = () =>
        request(limited.address.url).post('/handle').set('authorization', `Bearer ${user.token}`);

      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await http().send(anEvent('rate-limited')));

      expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 429]);
      expect(answers.map((r) => r.headers['x-ratelimit-limit'])).toEqual(['3', '3', '3', '3']);
      expect(answers.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
      const refused = answers[3]!;
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(Number(refused.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
      expect(refused.body).toEqual({ error: true, message: 'too many requests' });
      expect(specViolations('/handle', 'post', refused)).toEqual([]);
    });

    it('When one client is limited, then another client (by its own identity) is not', async () => {
      const res = await request(limited.address.url)
        .post('/handle')
        .set('authorization', `Bearer ${admin.token}`)
        .send(anEvent('other-client'));

      expect(res.status).toBe(202);
      expect(res.headers['x-ratelimit-remaining']).toBe('2');
    });

    it('When one IP keeps sending bad tokens, then it is limited by IP: 401s, then 429', async () => {
      const forged = unsignedToken(mesh.signingKey);
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const res = await request(limited.address.url)
          .get('/api/health')
          .set('authorization', `Bearer ${forged}`);
        statuses.push(res.status);
      }

      expect(statuses).toEqual([401, 401, 401, 429]);
    });

    it('When logins from one IP exceed the stricter auth limit, then 429 before auth is asked', async () => {
      const login = () =>
        request(limited.address.url)
          .post('/handle')
          .send({ action: 'auth', auth: { email: ADMIN.email, password: ADMIN.password } });

      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await login()).status);

      expect(statuses).toEqual([202, 202, 429]);
    });
  });

  // Last: it restarts auth.
  describe('JWKS refresh', () => {
    it('When auth starts signing with a new key, then the broker refetches the JWKS on the unknown kid and accepts its tokens', async () => {
      const rotating = await mesh.startBroker({ JWKS_COOLDOWN_MS: '0' });
      const http = () => request(rotating.address.url).post('/handle');
      // The broker has fetched and cached the JWKS with only the old key in it.
      expect(
        (await http().set('authorization', `Bearer ${user.token}`).send(anEvent())).status,
      ).toBe(202);

      const newKey = await mesh.rotateSigningKey();
      const token = await mesh.login(user.email, user.password);
      const res = await http().set('authorization', `Bearer ${token}`).send(anEvent());

      expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid).toBe(
        newKey.kid,
      );
      expect(res.status).toBe(202);
    });
  });
});
