import { randomUUID } from 'node:crypto';
import { credentials } from '@grpc/grpc-js';
import {
  createLogServiceClient,
  grpcChannelCredentials,
  GrpcStatus,
  isGrpcError,
  logServiceCalls,
  type Log,
  type LogServiceCalls,
} from '@micromesh/proto';
import { meshCallers, type Caller } from './support/mesh-identities';
import { startTestMesh, type TestMesh } from './support/test-mesh';

// Mutual TLS inside the mesh, against the real services as scripts/up starts them: every
// internal route admits exactly the service identities in its table, and nothing else — not
// plaintext, not a certificate from another CA, not a certificate of the wrong service.

const WRITERS = ['broker', 'listener', 'auth'];
const BROKER = ['broker'];
const NOBODY_ID = '00000000-0000-4000-8000-000000000000';

interface HttpRoute {
  service: 'auth' | 'logger' | 'mail';
  method: 'GET' | 'POST';
  path: string;
  body?: () => unknown;
  /** As the broker sends them (mail's calling principal). */
  headers?: Record<string, string>;
  allowed: string[];
  /** What an allowed caller gets: proof the request reached the route itself. */
  expected: number;
}

const logEntry = () => ({ name: 'mtls-suite', data: `mtls-${randomUUID()}`, level: 'INFO' });

const HTTP_ROUTES: HttpRoute[] = [
  {
    service: 'logger',
    method: 'POST',
    path: '/log',
    body: logEntry,
    allowed: WRITERS,
    expected: 202,
  },
  {
    service: 'logger',
    method: 'POST',
    path: '/logs/bulk',
    body: () => ({ entries: [logEntry()] }),
    allowed: WRITERS,
    expected: 202,
  },
  { service: 'logger', method: 'GET', path: '/logs?limit=1', allowed: BROKER, expected: 200 },
  { service: 'logger', method: 'GET', path: `/logs/${NOBODY_ID}`, allowed: BROKER, expected: 404 },
  { service: 'logger', method: 'GET', path: '/logs/stream', allowed: BROKER, expected: 200 },
  {
    service: 'mail',
    method: 'POST',
    path: '/send',
    body: () => ({ to: 'someone@example.com', subject: 'mtls', message: 'through the mesh' }),
    headers: { 'x-principal': 'user:mtls-suite' },
    allowed: BROKER,
    expected: 202,
  },
  {
    service: 'mail',
    method: 'GET',
    path: `/messages/${NOBODY_ID}`,
    allowed: BROKER,
    expected: 404,
  },
  {
    service: 'auth',
    method: 'POST',
    path: '/internal/keys/introspect',
    body: () => ({ key: 'mm_not-a-key' }),
    allowed: BROKER,
    expected: 200,
  },
  {
    service: 'auth',
    method: 'GET',
    path: '/.well-known/jwks.json',
    allowed: BROKER,
    expected: 200,
  },
  {
    service: 'auth',
    method: 'POST',
    path: '/authenticate',
    body: () => ({ email: 'nobody@example.com', password: 'not-the-password' }),
    allowed: BROKER,
    expected: 401,
  },
  { service: 'auth', method: 'GET', path: '/api/users', allowed: BROKER, expected: 401 },
  { service: 'auth', method: 'GET', path: '/api/keys', allowed: BROKER, expected: 401 },
];

type GrpcMethod = 'writeLog' | 'writeLogs' | 'queryLogs';
const GRPC_METHODS: { method: GrpcMethod; allowed: string[] }[] = [
  { method: 'writeLog', allowed: WRITERS },
  { method: 'writeLogs', allowed: WRITERS },
  { method: 'queryLogs', allowed: BROKER },
];

describe('mutual TLS inside the mesh', () => {
  let mesh: TestMesh;
  let callers: ReturnType<typeof meshCallers>;
  const url = (service: string) => {
    const spec = mesh.mesh.specs.find((s) => s.name === service);
    if (!spec) throw new Error(`no service ${service}`);
    return spec.httpUrl;
  };

  beforeAll(async () => {
    mesh = await startTestMesh('e2e_mtls');
    if (!mesh.settings.tlsDir) throw new Error('the test mesh runs without TLS');
    callers = meshCallers(mesh.settings.tlsDir);
  }, 150_000);
  afterAll(() => mesh?.stop(), 60_000);

  async function send(
    caller: Caller,
    route: HttpRoute,
  ): Promise<{ status: number; message?: string }> {
    const body = route.body?.();
    const res = await caller.fetch(`${url(route.service)}${route.path}`, {
      method: route.method,
      headers: {
        ...route.headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (route.path === '/logs/stream' && res.status === 200) {
      // A live tail that opened: it streams until closed.
      await res.body?.cancel();
      return { status: res.status };
    }
    const envelope = (await res.json()) as { message?: string };
    return { status: res.status, message: envelope.message };
  }

  describe.each(HTTP_ROUTES)('$service $method $path', (route) => {
    it(`When ${route.allowed.join(' or ')} calls with its certificate, then the route answers ${route.expected}`, async () => {
      for (const caller of callers.services.filter((c) => route.allowed.includes(c.name))) {
        await expect(send(caller, route)).resolves.toMatchObject({ status: route.expected });
      }
    });

    it('When another mesh service or a stranger from the mesh CA calls, then 403 names it', async () => {
      const others = [
        ...callers.services.filter((c) => !route.allowed.includes(c.name)),
        callers.intruder,
      ];
      for (const caller of others) {
        const identity = caller === callers.intruder ? 'intruder' : caller.name;
        await expect(send(caller, route)).resolves.toEqual({
          status: 403,
          message: `service '${identity}' may not call this route`,
        });
      }
    });

    it('When a "broker" certificate from another CA is presented, then 403 "client certificate not trusted"', async () => {
      await expect(send(callers.foreignBroker, route)).resolves.toEqual({
        status: 403,
        message: 'client certificate not trusted',
      });
    });

    it('When TLS comes without a client certificate, then 403 "no client certificate"', async () => {
      await expect(send(callers.noCertificate, route)).resolves.toEqual({
        status: 403,
        message: 'no client certificate',
      });
    });

    it('When the call is plaintext HTTP, then the connection is refused', async () => {
      const plain = url(route.service).replace('https://', 'http://');
      await expect(
        fetch(`${plain}${route.path}`, {
          method: route.method,
          signal: AbortSignal.timeout(5_000),
        }),
      ).rejects.toThrow('fetch failed');
    });
  });

  describe('health probes', () => {
    it.each(['auth', 'logger', 'mail', 'listener'])(
      'When a probe without a certificate asks %s for /livez and /readyz, then both answer 200',
      async (service) => {
        for (const path of ['/livez', '/readyz']) {
          const res = await callers.noCertificate.fetch(`${url(service)}${path}`);
          expect(res.status).toBe(200);
        }
      },
    );
  });

  describe('logger gRPC', () => {
    const clients: { close(): void }[] = [];
    afterAll(() => clients.forEach((c) => c.close()));

    function grpcAs(tls: Caller['tls'] | undefined): LogServiceCalls {
      const client = createLogServiceClient(
        mesh.mesh.specs.find((s) => s.name === 'logger')?.extra?.grpc ?? '',
        {
          credentials: !tls
            ? grpcChannelCredentials(undefined)
            : tls.cert && tls.key
              ? grpcChannelCredentials({ ca: tls.ca, cert: tls.cert, key: tls.key })
              : credentials.createSsl(tls.ca),
        },
      );
      clients.push(client);
      return logServiceCalls(client);
    }

    const entry = (): Log => ({ ...logEntry(), event_id: randomUUID() });
    function invoke(calls: LogServiceCalls, method: GrpcMethod): Promise<unknown> {
      const options = { timeoutMs: 5_000 };
      if (method === 'writeLog') return calls.writeLog(entry(), options);
      if (method === 'writeLogs') return calls.writeLogs([entry()], options);
      return calls.queryLogs({ limit: 1 }, options);
    }
    async function codeOf(call: Promise<unknown>): Promise<number> {
      try {
        await call;
        return GrpcStatus.OK;
      } catch (err) {
        if (isGrpcError(err)) return err.code;
        throw err;
      }
    }

    describe.each(GRPC_METHODS)('$method', ({ method, allowed }) => {
      it(`When ${allowed.join(' or ')} calls with its certificate, then the call succeeds`, async () => {
        for (const caller of callers.services.filter((c) => allowed.includes(c.name))) {
          expect(await codeOf(invoke(grpcAs(caller.tls), method))).toBe(GrpcStatus.OK);
        }
      });

      it('When another mesh service or a stranger from the mesh CA calls, then PERMISSION_DENIED', async () => {
        const others = [
          ...callers.services.filter((c) => !allowed.includes(c.name)),
          callers.intruder,
        ];
        for (const caller of others) {
          expect(await codeOf(invoke(grpcAs(caller.tls), method))).toBe(
            GrpcStatus.PERMISSION_DENIED,
          );
        }
      });

      it('When the caller is plaintext, has no certificate or one from another CA, then the handshake fails (UNAVAILABLE)', async () => {
        expect(await codeOf(invoke(grpcAs(undefined), method))).toBe(GrpcStatus.UNAVAILABLE);
        expect(await codeOf(invoke(grpcAs(callers.noCertificate.tls), method))).toBe(
          GrpcStatus.UNAVAILABLE,
        );
        expect(await codeOf(invoke(grpcAs(callers.foreignBroker.tls), method))).toBe(
          GrpcStatus.UNAVAILABLE,
        );
      });
    });
  });
});
