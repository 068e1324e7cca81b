import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createJwtKeysDir,
  createTestDatabase,
  createTestVhost,
  freePort,
  startServiceProcess,
  type JwtKeysDir,
  type ServiceProcess,
  type TestDatabase,
  type TestVhost,
} from '@micromesh/kit/testing';
import { serviceEnv } from './support/bundle-env';
import { buildBundles } from './support/bundles';
import { SERVICES, type ServiceName } from './support/paths';

/**
 * The production bundle of each service, built exactly as deploy/Dockerfile builds it, started
 * the way the image starts it (`node --require @micromesh/kit/tracing dist/main.js` in the bundle's
 * directory, NODE_ENV=production)
 * against the real PostgreSQL and RabbitMQ, and the other bundles as its peers.
 */
const run = promisify(execFile);
const BUILD_TIMEOUT_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 60_000;

let outDir: string;
let keysDir: JwtKeysDir;
let databases: Record<'auth' | 'mail' | 'logs' | 'broker', TestDatabase>;
let vhost: TestVhost;
const running = new Map<ServiceName, ServiceProcess>();
let loggerGrpcPort: number;

function bundleDir(service: ServiceName): string {
  return path.join(outDir, service);
}

function envFor(service: ServiceName): Record<string, string> {
  return serviceEnv(service, {
    databaseUrls: {
      auth: databases.auth.url,
      mail: databases.mail.url,
      logs: databases.logs.url,
      broker: databases.broker.url,
    },
    amqpUrl: vhost.url,
    jwtKeysDir: keysDir.dir,
    loggerGrpcPort,
    peerUrl: (peer) => running.get(peer)?.url ?? 'http://127.0.0.1:1',
  });
}

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'micromesh-bundles-'));
  keysDir = await createJwtKeysDir('2026-01-01');
  const [auth, mail, logs, broker, testVhost] = await Promise.all([
    createTestDatabase('deploy_auth'),
    createTestDatabase('deploy_mail'),
    createTestDatabase('deploy_logs'),
    createTestDatabase('deploy_broker'),
    createTestVhost('deploy'),
    buildBundles(outDir, SERVICES),
  ]);
  databases = { auth, mail, logs, broker };
  vhost = testVhost;
  loggerGrpcPort = await freePort();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  // Reverse start order: dependants first, so nothing logs errors about a vanished peer.
  for (const service of [...running.keys()].reverse()) await running.get(service)?.stop();
  // A failed clean-up is reported, but does not turn the verdict on the bundles.
  const cleanups = await Promise.allSettled([
    ...Object.values(databases ?? {}).map((db) => db.drop()),
    vhost?.drop(),
  ]);
  for (const result of cleanups) {
    if (result.status === 'rejected') console.warn('bundle test clean-up failed:', result.reason);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  await keysDir?.remove();
}, 120_000);

describe('production bundles (deploy/build-bundles.sh, as in deploy/Dockerfile)', () => {
  test.each([...SERVICES])(
    'When the %s bundle is listed, then it holds dist/main.js and its production dependencies only',
    (service) => {
      const dir = bundleDir(service as ServiceName);
      const store = fs.readdirSync(path.join(dir, 'node_modules', '.pnpm'));

      expect(fs.existsSync(path.join(dir, 'dist', 'main.js'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'node_modules', '@micromesh', 'kit', 'dist'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'src'))).toBe(false);
      expect(store.filter((pkg) => /^(typescript|jest|@swc\+core|esbuild)@/.test(pkg))).toEqual([]);
    },
  );

  test.each([...SERVICES])(
    'When the %s bundle is run with --check-config, as an operator would in the image, then it prints its ok line and exits 0',
    async (service) => {
      const name = service as ServiceName;

      const { stdout } = await run(process.execPath, ['dist/main.js', '--check-config'], {
        cwd: bundleDir(name),
        env: envFor(name),
      });

      expect(stdout).toMatch(new RegExp(`^${name}: configuration ok \\{"PORT":`));
    },
    60_000,
  );

  // In dependency order: each service gets the already running bundles as its peers.
  test.each([...SERVICES])(
    'When the %s bundle is started as the image starts it (tracing bootstrap first), then /readyz answers 200',
    async (service) => {
      const name = service as ServiceName;

      const started = await startServiceProcess({
        service: name,
        cwd: bundleDir(name),
        entry: 'dist/main.js',
        nodeArgs: ['--require', '@micromesh/kit/tracing'],
        env: envFor(name),
        readyTimeoutMs: READY_TIMEOUT_MS,
      });
      running.set(name, started);
      const res = await fetch(`${started.url}/readyz`);

      expect(res.status).toBe(200);
    },
    READY_TIMEOUT_MS + 10_000,
  );

  test('When the started frontend bundle is asked for /, then it serves the browser app built into the bundle', async () => {
    const frontend = running.get('frontend');

    const res = await fetch(`${frontend?.url ?? 'http://127.0.0.1:1'}/`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(fs.existsSync(path.join(bundleDir('frontend'), 'dist', 'public', 'app.js'))).toBe(true);
  });
});
