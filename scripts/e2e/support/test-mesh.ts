import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, createTestVhost, type TestDatabase } from '@micromesh/kit/testing';
import { freePorts } from '../../src/mesh/free-ports';
import { launchMesh, type Mesh } from '../../src/mesh/launcher';
import { DEFAULT_PORTS, type MeshPorts, type MeshSettings } from '../../src/mesh/settings';

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

/** A dev-style Ed25519 signing key (PKCS#8 PEM), like bootstrap's, in its own folder. */
function writeJwtKey(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-jwt-'));
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(
    path.join(dir, 'e2e.pem'),
    privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    {
      mode: 0o600,
    },
  );
  return dir;
}

/**
 * The whole mesh as real processes, exactly as `scripts/up` starts it, but on free ports with
 * fresh databases, a fresh RabbitMQ vhost and its own signing key, so suites never collide.
 */
export async function startTestMesh(prefix: string): Promise<TestMesh> {
  const names = Object.keys(DEFAULT_PORTS) as (keyof MeshPorts)[];
  const free = await freePorts(names.length);
  const ports = { ...DEFAULT_PORTS };
  names.forEach((name, i) => (ports[name] = free[i] ?? 0));
  const databases: TestDatabase[] = [];
  const vhost = await createTestVhost(prefix);
  const jwtKeysDir = writeJwtKey();
  const lines: string[] = [];
  const cleanUp = async () => {
    await Promise.allSettled([...databases.map((d) => d.drop()), vhost.drop()]);
    rmSync(jwtKeysDir, { recursive: true, force: true });
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
      logStoreUrl: await db('logs'),
      amqpUrl: vhost.url,
      jwtKeysDir,
      seedAdmin: ADMIN,
      // Login speed matters here, not bcrypt's strength.
      bcryptCost: 4,
      logLevel: 'warn',
    };
    mesh = await launchMesh({
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
