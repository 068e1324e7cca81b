import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AMQP_SERVICES,
  provisionServiceUsers,
  removeServiceUsers,
  type AmqpService,
} from '@micromesh/kit';
import {
  createJwtKeysDir,
  ensureDevCertificates,
  infraEnv,
  createTestDatabase,
  createTestVhost,
  type TestDatabase,
} from '@micromesh/kit/testing';
import { freePorts } from '../../src/mesh/free-ports';
import { launchMesh, type LaunchOptions, type Mesh } from '../../src/mesh/launcher';
import { TLS_SERVICES } from '../../src/mesh/mesh-tls';
import {
  DEFAULT_PORTS,
  FERRETDB_VERSION,
  type FerretDbSettings,
  type MeshPorts,
  type MeshSettings,
} from '../../src/mesh/settings';

export const ADMIN = { email: 'admin@example.com', password: 'verysecret' };

export interface TestMesh {
  mesh: Mesh;
  settings: MeshSettings;
  brokerUrl: string;
  frontendUrl: string;
  /** The logger's HTTP API and a fetch that calls it as the broker (mutual TLS). */
  logger: { url: string; fetch: typeof fetch };
  inboxUrl: string;
  /** The last lines the services printed, for a failing test's message. */
  recentOutput(): string;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..', '..', '..');

/**
 * The whole mesh as real processes, exactly as `scripts/up` starts it (mutual TLS on, like
 * scripts/up's default), but on free ports with fresh databases, a fresh RabbitMQ vhost, its own
 * signing key and its own CA, so suites never collide. `{ tls: false }` runs it in plaintext.
 */
export async function startTestMesh(
  prefix: string,
  options: Pick<LaunchOptions, 'supervise' | 'onSupervisorEvent'> & {
    /** Variables for every service (wins over the computed ones). */
    extraEnv?: Record<string, string>;
    /** false: plaintext between the services (default: mutual TLS, as scripts/up runs it). */
    tls?: boolean;
  } = {},
  /** 'mongo': the logger on a FerretDB of its own, as `LOG_STORE=mongo scripts/up` runs it. */
  logStore: 'postgres' | 'mongo' = 'postgres',
): Promise<TestMesh> {
  const { extraEnv, tls, ...launchOptions } = options;
  const names = Object.keys(DEFAULT_PORTS) as (keyof MeshPorts)[];
  const free = await freePorts(names.length);
  const ports = { ...DEFAULT_PORTS };
  names.forEach((name, i) => (ports[name] = free[i] ?? 0));
  const databases: TestDatabase[] = [];
  const vhost = await createTestVhost(prefix);
  // Each service connects as its own least-privilege user, made for this vhost alone.
  const { rabbit } = infraEnv();
  const amqpUsers = Object.fromEntries(
    AMQP_SERVICES.map((s) => [
      s,
      { user: `${vhost.name}-${s}`, password: randomBytes(12).toString('hex') },
    ]),
  ) as Record<AmqpService, { user: string; password: string }>;
  const rabbitAdmin = {
    managementUrl: vhost.managementUrl,
    admin: { user: rabbit.user, password: rabbit.password },
    users: amqpUsers,
  };
  await provisionServiceUsers({ ...rabbitAdmin, vhost: vhost.name });
  const amqpUrls = Object.fromEntries(
    AMQP_SERVICES.map((s) => {
      const url = new URL(vhost.url);
      url.username = encodeURIComponent(amqpUsers[s].user);
      url.password = encodeURIComponent(amqpUsers[s].password);
      return [s, url.toString()];
    }),
  );
  const jwtKeys = await createJwtKeysDir('e2e');
  const tlsDir = tls === false ? undefined : await mkdtemp(path.join(tmpdir(), 'mesh-tls-'));
  if (tlsDir) {
    ensureDevCertificates(tlsDir, TLS_SERVICES, {
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
  }
  const lines: string[] = [];
  let ferretdb: FerretDbSettings | undefined;
  if (logStore === 'mongo') {
    const [port = 0, debugPort = 0] = await freePorts(2);
    ferretdb = {
      binary: path.join(root, '.tools', `ferretdb-${FERRETDB_VERSION}`, 'bin', 'ferretdb'),
      port,
      debugPort,
      dataDir: await mkdtemp(path.join(tmpdir(), `${prefix}-ferretdb-`)),
    };
  }
  const cleanUp = async () => {
    await Promise.allSettled([
      ...databases.map((d) => d.drop()),
      vhost.drop(),
      removeServiceUsers(rabbitAdmin),
    ]);
    if (ferretdb) await rm(ferretdb.dataDir, { recursive: true, force: true });
    await jwtKeys.remove();
    if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
  };
  const db = async (kind: string) => {
    const created = await createTestDatabase(`${prefix}_${kind}`);
    databases.push(created);
    return created.url;
  };

  let settings: MeshSettings;
  let mesh: Mesh;
  try {
    settings = {
      root,
      ports,
      authDatabaseUrl: await db('auth'),
      mailDatabaseUrl: await db('mail'),
      brokerDatabaseUrl: await db('broker'),
      logStoreUrl: ferretdb
        ? `mongodb://127.0.0.1:${ferretdb.port}/micromesh_logs`
        : await db('logs'),
      ...(ferretdb ? { ferretdb } : {}),
      amqpUrl: vhost.url,
      amqpUrls,
      jwtKeysDir: jwtKeys.dir,
      seedAdmin: ADMIN,
      // Login speed matters here, not bcrypt's strength.
      bcryptCost: 4,
      logLevel: 'warn',
      tlsDir,
      ...(extraEnv ? { extraEnv } : {}),
      // Every trace kept, exported to the mesh's own logger (its default target).
      tracing: { enabled: true, ratio: 1 },
    };
    mesh = await launchMesh({
      ...launchOptions,
      settings,
      smtpSink: true,
      readyTimeoutMs: 90_000,
      output: (line) => {
        lines.push(line);
        if (lines.length > 200) lines.shift();
      },
    });
  } catch (err) {
    await cleanUp();
    throw new Error(`the mesh did not start: ${(err as Error).message}\n${lines.join('\n')}`, {
      cause: err,
    });
  }
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const loggerSpec = mesh.specs.find((s) => s.name === 'logger');
  return {
    mesh,
    settings,
    brokerUrl: local(ports.broker),
    frontendUrl: local(ports.frontend),
    logger: { url: loggerSpec?.httpUrl ?? local(ports.logger), fetch: mesh.internalFetch },
    inboxUrl: local(ports.smtpWeb),
    recentOutput: () => lines.join('\n'),
    async stop() {
      await mesh.stop();
      await cleanUp();
    },
  };
}
