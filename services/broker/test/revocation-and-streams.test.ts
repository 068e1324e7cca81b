import http from 'node:http';
import type { StartedHttpService } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import request from 'supertest';
import { mintToken } from './support/signing-keys';
import { ADMIN, TestMesh, type MeshUser } from './support/test-mesh';

const anEvent = () => ({
  action: 'event',
  event: { name: 'revocation-check', data: 'checked at the edge' },
});

/**
 * Opens the live tail (at `path`, sent as is: no client normalises it); collects what arrives and
 * says when the broker ended it.
 */
function openTail(baseUrl: string, token: string, path = '/api/logs/stream') {
  const received: string[] = [];
  let ended = false;
  const opened = new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get(
        `${baseUrl}${path}`,
        { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
        resolve,
      )
      .on('error', reject);
  }).then((stream) => {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => received.push(chunk));
    stream.on('end', () => {
      ended = true;
    });
    stream.on('error', () => undefined);
    return stream;
  });
  return { opened, text: () => received.join(''), ended: () => ended };
}

/** The logger's own cap on live tails in this suite (LOG_TAIL_MAX_SUBSCRIBERS). */
const LOGGER_TAILS = 5;

describe('broker: revocation, streams and edge hygiene', () => {
  let mesh: TestMesh;
  let broker: StartedHttpService;
  let user: MeshUser;

  beforeAll(async () => {
    mesh = await TestMesh.start({ loggerEnv: { LOG_TAIL_MAX_SUBSCRIBERS: String(LOGGER_TAILS) } });
    broker = await mesh.startBroker({ STREAMS_PER_CLIENT: '2' });
    user = await mesh.createUser('user');
  }, 120_000);
  afterAll(() => mesh?.close());

  const handle = (token: string) =>
    request(broker.address.url).post('/handle').set('authorization', `Bearer ${token}`);
  const logout = (token: string) =>
    request(mesh.auth.url).post('/api/auth/logout').set('authorization', `Bearer ${token}`);

  describe('revocation', () => {
    it('When a user logs out at auth, then within a second the broker refuses the old token with 401 "token has been revoked"', async () => {
      const someone = await mesh.createUser('user');
      expect((await handle(someone.token).send(anEvent())).status).toBe(503); // no queue bound: 503, but past the edge

      const loggedOut = await logout(someone.token);
      const started = Date.now();
      const refused = await waitFor(
        async () => {
          const res = await handle(someone.token).send(anEvent());
          return res.status === 401 ? res : undefined;
        },
        { timeoutMs: 1_000, intervalMs: 20, what: 'the broker refusing the revoked token' },
      );

      expect(loggedOut.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(refused.body).toEqual({ error: true, message: 'token has been revoked' });
    });

    it('When a broker starts after a revocation, then it refuses the old token at once (catch-up from auth)', async () => {
      const someone = await mesh.createUser('user');
      await logout(someone.token);

      const late = await mesh.startBroker();
      const res = await request(late.address.url)
        .post('/handle')
        .set('authorization', `Bearer ${someone.token}`)
        .send(anEvent());

      expect(res.status).toBe(401);
      expect(res.body.message).toBe('token has been revoked');
    });

    it('When an API key is revoked, then the broker stops accepting it within a second (not after its cache TTL)', async () => {
      const { key, id } = await mesh.createApiKey('user');
      const withKey = () =>
        request(broker.address.url).post('/handle').set('x-api-key', key).send(anEvent());
      expect((await withKey()).status).toBe(503); // accepted at the edge, and now cached
      const adminToken = await mesh.login(ADMIN.email, ADMIN.password);

      const revoked = await request(mesh.auth.url)
        .delete(`/api/keys/${id}`)
        .set('authorization', `Bearer ${adminToken}`);
      const started = Date.now();
      await waitFor(async () => (await withKey()).status === 401, {
        timeoutMs: 1_000,
        intervalMs: 20,
        what: 'the broker refusing the revoked key',
      });

      expect(revoked.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  describe('GET /api/logs/stream', () => {
    it('When the reader logs out, then the broker ends its open live tail with an "end" event', async () => {
      const reader = await mesh.createUser('admin');
      const tail = openTail(broker.address.url, reader.token);
      const stream = await tail.opened;
      await waitFor(() => tail.text().includes('event: ready'), { what: 'tail ready' });

      await logout(reader.token);

      await waitFor(() => tail.ended(), { timeoutMs: 1_000, what: 'the tail ended' });
      expect(stream.statusCode).toBe(200);
      expect(tail.text()).toContain('event: end\ndata: {"reason":"credential revoked"}');
    });

    it('When the token expires, then the live tail ends at its expiry', async () => {
      const reader = await mesh.createUser('admin');
      const shortLived = await mintToken(mesh.signingKey, {
        sub: reader.id,
        role: 'admin',
        expiresIn: 2,
      });
      const tail = openTail(broker.address.url, shortLived);
      await tail.opened;
      await waitFor(() => tail.text().includes('event: ready'), { what: 'tail ready' });

      await waitFor(() => tail.ended(), { timeoutMs: 4_000, what: 'the tail ended at expiry' });
      expect(tail.text()).toContain('data: {"reason":"token expired"}');
    });

    it('When one client opens more live tails than allowed, then the extra one is 429 and a slot frees when one closes', async () => {
      const reader = await mesh.createUser('admin');
      const first = openTail(broker.address.url, reader.token);
      const second = openTail(broker.address.url, reader.token);
      const [a, b] = await Promise.all([first.opened, second.opened]);

      const third = await request(broker.address.url)
        .get('/api/logs/stream')
        .set('authorization', `Bearer ${reader.token}`);
      a.destroy();
      const fourth = openTail(broker.address.url, reader.token);
      const d = await waitFor(async () => {
        const s = await fourth.opened;
        return s;
      });

      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      expect(third.status).toBe(429);
      expect(third.body.message).toBe(
        'at most 2 concurrent streams per user (its sessions and API keys together)',
      );
      b.destroy();
      d.destroy();
    });

    // Express matches `/stream/` (trailing slash) like `/stream`: the broker must treat it as the
    // same guarded stream, not wave it through as something else.
    it.each(['/api/logs/stream/', '/api/logs/stream/?level=INFO'])(
      'When the tail is opened as %s, then it counts against the stream limit and ends on logout',
      async (path) => {
        const reader = await mesh.createUser('admin');
        const tails = [1, 2, 3].map(() => openTail(broker.address.url, reader.token, path));
        const streams = await Promise.all(tails.map((t) => t.opened));
        try {
          const ok = tails.filter((_, i) => streams[i]!.statusCode === 200);
          await waitFor(() => ok.every((t) => t.text().includes('event: ready')), {
            what: 'the admitted tails ready',
          });

          await logout(reader.token);

          expect(streams.map((s) => s.statusCode).sort()).toEqual([200, 200, 429]);
          await waitFor(() => ok.every((t) => t.ended()), {
            timeoutMs: 1_000,
            what: 'both tails ended on logout',
          });
          for (const t of ok) {
            expect(t.text()).toContain('event: end\ndata: {"reason":"credential revoked"}');
          }
        } finally {
          for (const s of streams) s.destroy();
        }
      },
    );

    // Other case, percent-encoded letters, doubled slashes: none of them is the stream, and none
    // may reach the logger's tail past the broker's stream guard.
    it.each([
      '/api/logs/STREAM',
      '/api/logs/Stream',
      '/api/logs/Stream/',
      '/api/logs/%73tream',
      '/api/logs/%53TREAM',
      '/api/logs/stream%2F',
      '/api/logs//stream',
      '/api/logs/stream//',
      '/API/LOGS/STREAM',
      '/Api/logs/stream',
      '/api//logs/stream',
    ])('When the tail is asked as %s, then no event stream opens (4xx)', async (path) => {
      const reader = await mesh.createUser('admin');
      const stream = await openTail(broker.address.url, reader.token, path).opened;
      stream.destroy();

      expect(stream.statusCode).toBeGreaterThanOrEqual(400);
      expect(stream.statusCode).toBeLessThan(500);
      expect(String(stream.headers['content-type'])).not.toContain('text/event-stream');
    });

    it('When the logger serves as many tails as it allows, then one more is its 503 with Retry-After, relayed (not "logger unavailable")', async () => {
      const readers = await Promise.all([1, 2, 3].map(() => mesh.createUser('admin')));
      const owners = [0, 0, 1, 1, 2].map((i) => readers[i]!.token);
      const streams: http.IncomingMessage[] = [];
      try {
        for (const token of owners) {
          // Tails of earlier tests may still be closing at the logger: wait for a free slot.
          const stream = await waitFor(
            async () => {
              const s = await openTail(broker.address.url, token).opened;
              if (s.statusCode === 200) return s;
              s.destroy();
              return undefined;
            },
            { what: 'a logger tail slot' },
          );
          streams.push(stream);
        }

        const refused = await request(broker.address.url)
          .get('/api/logs/stream')
          .set('authorization', `Bearer ${readers[2]!.token}`);
        const query = await request(broker.address.url)
          .get('/api/logs?limit=1')
          .set('authorization', `Bearer ${readers[2]!.token}`);

        expect(streams).toHaveLength(LOGGER_TAILS);
        expect(refused.status).toBe(503);
        expect(refused.headers['retry-after']).toBe('5');
        expect(refused.body.message).toBe(
          `the live tail is full: this logger serves at most ${LOGGER_TAILS} streams; try again later`,
        );
        expect(query.status).toBe(200);
      } finally {
        for (const s of streams) s.destroy();
      }
    });

    it('When a user without logs:read asks for the live tail, then 403', async () => {
      const res = await request(broker.address.url)
        .get('/api/logs/stream')
        .set('authorization', `Bearer ${user.token}`);

      expect(res.status).toBe(403);
      expect(res.body.message).toBe('requires the logs:read scope');
    });
  });

  describe('edge hygiene', () => {
    /** A raw request, so neither supertest nor fetch normalises the path first. */
    const rawGet = (path: string, token: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(broker.address.url);
        http
          .request(
            {
              host: url.hostname,
              port: url.port,
              path,
              headers: { authorization: `Bearer ${token}` },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          )
          .on('error', reject)
          .end();
      });

    it.each([
      '/api/logs/%2e%2e/metrics',
      '/api/logs/%2E%2E/%2E%2E/metrics',
      '/api/logs/.%2e/metrics',
      '/api/logs/..%2fmetrics',
      '/api/logs/%2e%2e%2fmetrics',
      '/api/logs/x%5c..%5cmetrics',
      '/api/logs/../metrics',
      '/api/logs/./stream',
      '/api/users/%2e%2e/%2e%2e/metrics',
      '/api/logs/%zz',
    ])('When the path is %s, then 400 "invalid path" before any proxying', async (path) => {
      const admin = await mesh.createUser('admin');

      expect(await rawGet(path, admin.token)).toBe(400);
    });

    it('When /metrics is asked on the public port, then 404; the internal metrics port serves it', async () => {
      const publicPort = await request(broker.address.url).get('/metrics');
      const internal = await request(broker.metricsUrl).get('/metrics');

      expect(publicPort.status).toBe(404);
      expect(internal.status).toBe(200);
      expect(internal.text).toContain('broker_');
    });

    it('When a log carries 49,000-deep metadata, then 400 (not 500)', async () => {
      const body = `{"action":"log","log":{"name":"deep","data":"x","metadata":{"m":${'['.repeat(49_000)}${']'.repeat(49_000)}}}}`;

      const res = await handle(user.token).set('content-type', 'application/json').send(body);

      expect(res.status).toBe(400);
    });

    it('When the auth action answers with a token, then the answer says Cache-Control: no-store', async () => {
      const res = await request(broker.address.url)
        .post('/handle')
        .send({ action: 'auth', auth: { email: user.email, password: user.password } });

      expect(res.status).toBe(202);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('When IPv6 clients of one /64 log in through a trusting proxy, then they share one auth budget; another /64 has its own', async () => {
      const limited = await mesh.startBroker({
        TRUST_PROXY: 'loopback',
        AUTH_RATE_LIMIT_POINTS: '2',
      });
      const attempt = (ip: string) =>
        request(limited.address.url)
          .post('/handle')
          .set('x-forwarded-for', ip)
          .send({ action: 'auth', auth: { email: 'nobody@broker-test.local', password: 'x' } });

      const statuses = [];
      for (const ip of ['2001:db8:5:6::1', '2001:db8:5:6::2', '2001:db8:5:6:ffff::3']) {
        statuses.push((await attempt(ip)).status);
      }
      const otherPrefix = (await attempt('2001:db8:5:7::1')).status;

      expect(statuses).toEqual([401, 401, 429]);
      expect(otherPrefix).toBe(401);
    });
  });

  describe('JWT key rotation without restarts', () => {
    it('When a later-named key file appears, then auth signs with it and a running broker (default cooldown) accepts the new token and still the old one', async () => {
      const before = await mesh.login(user.email, user.password);
      expect((await handle(before).send(anEvent())).status).toBe(503); // past the edge

      const key = await mesh.addSigningKey('2098-01-01');
      const after = await mesh.login(user.email, user.password);
      const kidOf = (token: string) =>
        JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;

      expect(kidOf(after)).toBe(key.kid);
      await waitFor(async () => (await handle(after).send(anEvent())).status === 503, {
        timeoutMs: 3_000,
        what: 'the broker accepting a token of the new key',
      });
      expect((await handle(before).send(anEvent())).status).toBe(503);
    });
  });
});
