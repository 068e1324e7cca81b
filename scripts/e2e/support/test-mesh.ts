import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createJwtKeysDir,
  createTestDatabase,
  createTestVhost,
  type TestDatabase,
} from '@micromesh/kit/testing';
import { freePorts } from '../../src/mesh/free-ports';
import { launchMesh, type LaunchOptions, type Mesh } from '../../src/mesh/launcher';
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
  loggerUrl: string;
  inboxUrl: string;
  /** The last lines the services printed, for a failing test's message. */
  recentOutput(): string;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..', '..', '..');

/**
 * The whole mesh as real processes, exactly as `scripts/up` starts it, but on free ports with
 * fresh databases, a fresh RabbitMQ vhost and its own signing key, so suites never collide.
 */
export async function startTestMesh(
  prefix: string,
  options: Pick<LaunchOptions, 'supervise' | 'onSupervisorEvent'> & {
    /** Variables for every service (wins over the computed ones). */
    extraEnv?: Record<string, string>;
  } = {},
  /** 'mongo': the logger on a FerretDB of its own, as `LOG_STORE=mongo scripts/up` runs it. */
  logStore: 'postgres' | 'mongo' = 'postgres',
): Promise<TestMesh> {
  const { extraEnv, ...launch } = options;
  const names = Object.keys(DEFAULT_PORTS) as (keyof MeshPorts)[];
  const free = await freePorts(names.length);
  const ports = { ...DEFAULT_PORTS };
  names.forEach((name, i) => (ports[name] = free[i] ?? 0));
  const databases: TestDatabase[] = [];
  const vhost = await createTestVhost(prefix);
  const jwtKeys = await createJwtKeysDir('e2e');
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
    await Promise.allSettled([...databases.map((d) => d.drop()), vhost.drop()]);
    if (ferretdb) await rm(ferretdb.dataDir, { recursive: true, force: true });
    await jwtKeys.remove();
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
      jwtKeysDir: jwtKeys.dir,
      seedAdmin: ADMIN,
      // Login speed matters here, not bcrypt's strength.
      bcryptCost: 4,
      logLevel: 'warn',
      ...(extraEnv ? { extraEnv } : {}),
      // Every trace kept, exported to the mesh's own logger (its default target).
      tracing: { enabled: true, ratio: 1 },
    };
    mesh = await launchMesh({
      ...launch,
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
  return {
    mesh,
    settings,
    brokerUrl: local(ports.broker),
    frontendUrl: local(ports.frontend),
    loggerUrl: local(ports.logger),
    inboxUrl: local(ports.smtpWeb),
    recentOutput: () => lines.join('\n'),
    async stop() {
      await mesh.stop();
      await cleanUp();
    },
  };
}
