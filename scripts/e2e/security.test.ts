import { randomUUID } from 'node:crypto';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
// The access table (the public contract the broker enforces): the matrix below is generated
// from it, row by row.
import {
  ACCESS_RULES,
  formatScopes,
  scopesOfRole,
  type Access,
  type AccessRule,
} from '@micromesh/contracts';
import { startServiceProcess, waitFor, type ServiceProcess } from '@micromesh/kit/testing';
import { freePorts } from '../src/mesh/free-ports';
import { serviceSpecs } from '../src/mesh/service-specs';
import { login } from './support/broker-api';
import { attackTokens, claimsFor, meshKey } from './support/jwt-attacks';
import { ADMIN, startTestMesh, type TestMesh } from './support/test-mesh';

interface Probe {
  status: number;
  body: { message?: string; data?: Record<string, unknown> } | undefined;
  headers: Headers;
}

/** One request over real HTTP; the body of a stream is not waited for. */
async function probe(
  baseUrl: string,
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Probe> {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let parsed: Probe['body'];
  if ((res.headers.get('content-type') ?? '').includes('application/json')) {
    parsed = (await res.json()) as Probe['body'];
  } else {
    await res.body?.cancel();
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A raw GET whose path nothing normalises on the way (fetch would resolve `..`). */
function rawGet(baseUrl: string, rawPath: string, token: string): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    http
      .request(
        {
          host: url.hostname,
          port: url.port,
          path: rawPath,
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
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('security suite (whole mesh)', () => {
  let t: TestMesh;
  let secondBroker: ServiceProcess;
  let adminToken: string;
  let user: { id: string; email: string; password: string; token: string };

  /** A user made by the admin through the broker, logged in through the broker. */
  async function newUser(role: 'user' | 'admin' = 'user') {
    const email = `sec-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'security-suite-password';
    const created = await probe(t.brokerUrl, 'POST', '/api/users', bearer(adminToken), {
      email,
      password,
      role,
    });
    if (created.status !== 201) throw new Error(`create user: ${created.status}`);
    const id = (created.body?.data?.user as { id: string }).id;
    return { id, email, password, token: await login(t.brokerUrl, { email, password }) };
  }

  async function newKey(token: string, scopes?: string[]): Promise<string> {
    const res = await probe(t.brokerUrl, 'POST', '/api/keys', bearer(token), {
      name: 'security suite',
      ...(scopes ? { scopes } : {}),
    });
    if (res.status !== 201) throw new Error(`create key: ${res.status} ${res.body?.message}`);
    return res.body?.data?.key as string;
  }

  beforeAll(async () => {
    // The broker believes X-Forwarded-For from loopback here, so tests can speak as many clients.
    t = await startTestMesh('e2e_security', {
      extraEnv: { AUTH_RATE_LIMIT_POINTS: '1000', TRUST_PROXY: 'loopback' },
    });
    const broker = serviceSpecs(t.settings).find((s) => s.name === 'broker')!;
    const [port, metricsPort] = await freePorts(2);
    secondBroker = await startServiceProcess({
      service: 'broker',
      port,
      env: { ...broker.env, PORT: String(port), METRICS_PORT: String(metricsPort) },
    });
    adminToken = await login(t.brokerUrl);
    user = await newUser('user');
  }, 180_000);
  afterAll(async () => {
    await secondBroker?.stop();
    await t?.stop();
  }, 60_000);

  describe('route × role × credential access matrix (from the access table)', () => {
    type Credential = {
      name: string;
      kind: 'anonymous' | 'token' | 'key';
      scopes: string[];
      subject?: string;
      headers: () => Promise<Record<string, string>>;
    };

    const allowed = (access: Access, c: Credential, id: string | undefined): number | 'ok' => {
      if (access.kind === 'public') return 'ok';
      if (c.kind === 'anonymous') return 401;
      switch (access.kind) {
        case 'signed-in':
          return 'ok';
        case 'token':
          return c.kind === 'token' ? 'ok' : 400;
        case 'scope':
          return c.scopes.includes(access.scope) ? 'ok' : 403;
        case 'self-or-scope':
          return id === c.subject || c.scopes.includes(access.scope) ? 'ok' : 403;
      }
    };

    function request(rule: AccessRule): { path: string; body?: unknown; id?: string } {
      const unknownId = randomUUID();
      const p = rule.path;
      if (p === '/handle') {
        const payloads = {
          auth: { auth: ADMIN },
          log: { log: { name: 'matrix', data: 'access matrix probe' } },
          event: { event: { name: 'matrix', data: 'access matrix probe' } },
          mail: { mail: { to: 'matrix@example.com', subject: 'matrix', message: 'probe' } },
        };
        return { path: p, body: { action: rule.action, ...payloads[rule.action!] } };
      }
      if (p === '/log-grpc') return { path: p, body: { log: { name: 'matrix', data: 'probe' } } };
      if (p === '/api/users' && rule.method === 'POST') {
        return {
          path: p,
          body: {
            email: `matrix-${randomUUID().slice(0, 8)}@example.com`,
            password: 'matrix-password',
          },
        };
      }
      if (p === '/api/users/:id' && rule.method !== 'DELETE') {
        return {
          path: `/api/users/${user.id}`,
          id: user.id,
          ...(rule.method === 'PATCH' ? { body: { first_name: 'Matrix' } } : {}),
        };
      }
      if (p === '/api/keys' && rule.method === 'POST') return { path: p, body: { name: 'matrix' } };
      if (p === '/api/auth/logout') return { path: p, body: {} };
      return { path: p.replace(':id', unknownId), id: unknownId };
    }

    it('When every row is called by every kind of caller, then each is refused or served exactly as the table says', async () => {
      const adminScopes = formatScopes(scopesOfRole('admin')).split(' ');
      const userScopes = formatScopes(scopesOfRole('user')).split(' ');
      const userKey = await newKey(user.token);
      const readerKey = await newKey(adminToken, ['logs:read']);
      const adminId = (
        (await probe(t.brokerUrl, 'GET', '/api/users?limit=100', bearer(adminToken))).body?.data
          ?.users as { id: string; email: string }[]
      ).find((u) => u.email === ADMIN.email)!.id;
      const credentials: Credential[] = [
        { name: 'anonymous', kind: 'anonymous', scopes: [], headers: async () => ({}) },
        {
          name: 'user token',
          kind: 'token',
          scopes: userScopes,
          subject: user.id,
          headers: async () => bearer(user.token),
        },
        {
          name: 'admin token',
          kind: 'token',
          scopes: adminScopes,
          subject: adminId,
          headers: async () => bearer(adminToken),
        },
        {
          name: 'user API key',
          kind: 'key',
          scopes: userScopes,
          subject: user.id,
          headers: async () => ({ 'x-api-key': userKey }),
        },
        {
          name: 'key: logs:read only',
          kind: 'key',
          scopes: ['logs:read'],
          subject: adminId,
          headers: async () => ({ 'x-api-key': readerKey }),
        },
      ];

      const rows: string[] = [];
      const mismatches: string[] = [];
      for (const rule of ACCESS_RULES) {
        const cells: string[] = [];
        for (const c of credentials) {
          const req = request(rule);
          const headers = await c.headers();
          const res = await probe(t.brokerUrl, rule.method, req.path, headers, req.body);
          // Logging out revokes every token of the account: sign in again for the next rows.
          if (rule.path === '/api/auth/logout' && c.kind === 'token' && res.status === 200) {
            if (c.name === 'user token') user.token = await login(t.brokerUrl, user);
            else adminToken = await login(t.brokerUrl);
          }
          const expected = allowed(rule.access, c, req.id);
          const ok =
            expected === 'ok' ? res.status !== 401 && res.status !== 403 : res.status === expected;
          cells.push(`${res.status}${ok ? '' : ' ✗'}`);
          if (!ok) {
            mismatches.push(
              `${rule.method} ${rule.path}${rule.action ? ` (${rule.action})` : ''} as ${c.name}: ${res.status}, expected ${expected} (${res.body?.message})`,
            );
          }
        }
        const access =
          rule.access.kind === 'scope'
            ? rule.access.scope
            : rule.access.kind === 'self-or-scope'
              ? `self or ${rule.access.scope}`
              : rule.access.kind;
        rows.push(
          `| ${rule.method} ${rule.path}${rule.action ? ` \`${rule.action}\`` : ''} | ${access} | ${cells.join(' | ')} |`,
        );
      }
      const table = [
        `| route | needs | ${credentials.map((c) => c.name).join(' | ')} |`,
        `|---|---|${credentials.map(() => '---').join('|')}|`,
        ...rows,
      ].join('\n');
      await mkdir(path.join(t.settings.root, '.run'), { recursive: true });
      await writeFile(path.join(t.settings.root, '.run', 'access-matrix.md'), `${table}\n`);
      process.stdout.write(
        `\naccess matrix (status per caller; ✗ = not as the table says)\n${table}\n`,
      );

      expect(mismatches).toEqual([]);
    }, 120_000);
  });

  describe('JWT attack set', () => {
    it('When a forged, altered or misdirected token is presented, then both brokers answer 401 and never fetch a URL named in the token', async () => {
      const fetched: string[] = [];
      const attackerServer = http.createServer((req, res) => {
        fetched.push(req.url ?? '');
        res.end('{"keys":[]}');
      });
      await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
      const attackerUrl = `http://127.0.0.1:${(attackerServer.address() as AddressInfo).port}/jwks.json`;
      try {
        const pem = await readFile(path.join(t.settings.jwtKeysDir, 'e2e.pem'), 'utf8');
        const key = await meshKey(pem);
        const target = await newUser('user');
        const { valid, attacks } = await attackTokens(
          key,
          claimsFor({ id: target.id, role: 'user', scope: formatScopes(scopesOfRole('user')) }),
          attackerUrl,
        );

        const outcomes: Record<string, number[]> = {};
        for (const [name, token] of Object.entries(attacks)) {
          outcomes[name] = [
            (await probe(t.brokerUrl, 'GET', '/api/health', bearer(token))).status,
            (await probe(secondBroker.url, 'GET', '/api/health', bearer(token))).status,
          ];
        }
        const control = await probe(t.brokerUrl, 'GET', '/api/health', bearer(valid));

        expect(control.status).toBe(200);
        expect(outcomes).toEqual(
          Object.fromEntries(Object.keys(attacks).map((name) => [name, [401, 401]])),
        );
        expect(fetched).toEqual([]);
      } finally {
        attackerServer.close();
      }
    });
  });

  describe('revocation across two broker processes', () => {
    /** Both brokers accept the token now; returns ms until both refuse it after `act`. */
    async function timeUntilRefused(token: string, act: () => Promise<number>): Promise<number> {
      const brokers = [t.brokerUrl, secondBroker.url];
      for (const url of brokers) {
        expect((await probe(url, 'GET', '/api/health', bearer(token))).status).toBe(200);
      }
      const status = await act();
      expect(status).toBe(200);
      const started = Date.now();
      await waitFor(
        async () => {
          const statuses = await Promise.all(
            brokers.map(
              async (url) => (await probe(url, 'GET', '/api/health', bearer(token))).status,
            ),
          );
          return statuses.every((s) => s === 401);
        },
        { timeoutMs: 1_000, intervalMs: 10, what: 'both brokers refusing the revoked token' },
      );
      return Date.now() - started;
    }

    const patchAsAdmin = (id: string, body: object) =>
      probe(t.brokerUrl, 'PATCH', `/api/users/${id}`, bearer(adminToken), body);

    it('When a user changes its password (with the current one), then within a second both brokers refuse its old token', async () => {
      const u = await newUser();
      const ms = await timeUntilRefused(u.token, async () => {
        const res = await probe(secondBroker.url, 'PATCH', `/api/users/${u.id}`, bearer(u.token), {
          password: 'another-password-1',
          current_password: u.password,
        });
        return res.status;
      });
      expect(ms).toBeLessThan(1_000);
    });

    it('When a password change lacks the current password, then 400 and the token still works', async () => {
      const u = await newUser();

      const res = await probe(t.brokerUrl, 'PATCH', `/api/users/${u.id}`, bearer(u.token), {
        password: 'another-password-1',
      });

      expect(res.status).toBe(400);
      expect((await probe(t.brokerUrl, 'GET', '/api/health', bearer(u.token))).status).toBe(200);
    });

    it.each([
      ['a role change', (id: string) => patchAsAdmin(id, { role: 'admin' })],
      ['deactivation', (id: string) => patchAsAdmin(id, { active: false })],
      [
        'deletion',
        (id: string) => probe(t.brokerUrl, 'DELETE', `/api/users/${id}`, bearer(adminToken)),
      ],
    ] as const)(
      'When an admin makes %s, then within a second both brokers refuse the user’s token',
      async (_name, act) => {
        const u = await newUser();
        const ms = await timeUntilRefused(u.token, async () => (await act(u.id)).status);
        expect(ms).toBeLessThan(1_000);
      },
    );

    it('When a user logs out through the broker, then within a second both brokers refuse the token', async () => {
      const u = await newUser();
      const ms = await timeUntilRefused(
        u.token,
        async () =>
          (await probe(t.brokerUrl, 'POST', '/api/auth/logout', bearer(u.token), {})).status,
      );
      expect(ms).toBeLessThan(1_000);
    });

    it('When a broker restarts after a revocation it missed, then it refuses the old token from its first request', async () => {
      const u = await newUser();
      await secondBroker.stop();
      await probe(t.brokerUrl, 'POST', '/api/auth/logout', bearer(u.token), {});

      await secondBroker.restart();

      const res = await probe(secondBroker.url, 'GET', '/api/health', bearer(u.token));
      expect(res.status).toBe(401);
      expect(res.body?.message).toBe('token has been revoked');
    });
  });

  describe('path traversal and edge probes', () => {
    it.each([
      '/api/logs/%2e%2e/metrics',
      '/api/logs/%2E%2E/%2E%2E/metrics',
      '/api/logs/..%2f..%2fmetrics',
      '/api/logs/../metrics',
      '/api/keys/%2e%2e/%2e%2e/metrics',
    ])('When an admin asks for %s, then 400 and nothing of the downstream answers', async (p) => {
      expect(await rawGet(t.brokerUrl, p, adminToken)).toBe(400);
    });

    it('When /metrics is asked on the broker’s public port, then 404', async () => {
      expect((await probe(t.brokerUrl, 'GET', '/metrics')).status).toBe(404);
      const metricsPort = t.settings.ports.brokerMetrics;
      expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
    });

    it('When a log’s metadata nests 49,000 levels deep, then 400', async () => {
      const deep = `${'['.repeat(49_000)}${']'.repeat(49_000)}`;
      const res = await fetch(`${t.brokerUrl}/handle`, {
        method: 'POST',
        headers: { ...bearer(user.token), 'content-type': 'application/json' },
        body: `{"action":"log","log":{"name":"deep","data":"x","metadata":{"m":${deep}}}}`,
      });
      expect(res.status).toBe(400);
    });

    it('When the auth action issues a token, then the answer is Cache-Control: no-store', async () => {
      const res = await probe(t.brokerUrl, 'POST', '/handle', {}, { action: 'auth', auth: ADMIN });
      expect(res.status).toBe(202);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('When a user (no logs:read) reads or tails the logs, then 403: login events are for admins', async () => {
      expect((await probe(t.brokerUrl, 'GET', '/api/logs', bearer(user.token))).status).toBe(403);
      expect((await probe(t.brokerUrl, 'GET', '/api/logs/stream', bearer(user.token))).status).toBe(
        403,
      );
    });
  });

  describe('mail sender spoofing', () => {
    it('When a signed-in user sends mail from an address of its choosing, then 400 names mail.from and nothing is sent', async () => {
      const subject = `spoof-${randomUUID()}`;

      const res = await probe(t.brokerUrl, 'POST', '/handle', bearer(user.token), {
        action: 'mail',
        mail: {
          from: 'ceo@bank-example.com',
          to: 'victim@example.com',
          subject,
          message: 'wire it',
        },
      });

      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('mail.from');
      const mails = (await (await fetch(`${t.inboxUrl}/email`)).json()) as { subject: string }[];
      expect(mails.filter((m) => m.subject === subject)).toEqual([]);
    });
  });

  describe('brute force', () => {
    it('When guesses at one account come from a new address each time, then after five the next is 429 with Retry-After', async () => {
      const u = await newUser();
      const attempt = (password: string, n: number) =>
        probe(
          t.brokerUrl,
          'POST',
          '/handle',
          { 'x-forwarded-for': `203.0.113.${n}` },
          { action: 'auth', auth: { email: u.email, password } },
        );
      const statuses = [];
      for (let i = 1; i <= 5; i++) statuses.push((await attempt(`guess-${i}`, i)).status);

      const sixth = await attempt(u.password, 6);

      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });
});
