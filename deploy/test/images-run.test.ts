import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createJwtKeysDir,
  createTestDatabase,
  createTestVhost,
  freePort,
  waitFor,
  type JwtKeysDir,
  type TestDatabase,
  type TestVhost,
} from '@micromesh/kit/testing';
import { serviceEnv } from './support/bundle-env';
import { buildBundles } from './support/bundles';
import {
  baseUnavailable,
  CACHE_DIR,
  engineRun,
  ensureBaseImage,
  ensureNodeImage,
  findEngine,
  runtimeStageContainerfile,
  type Engine,
} from './support/container-engine';
import { repoRoot, SERVICES, type ServiceName } from './support/paths';

/**
 * Each service's image, run as the Kubernetes manifests demand: the non-root node user, a
 * read-only root file system (a tmpfs at /tmp), every capability dropped, no privilege escalation.
 * No registry image can be pulled here, so the base is assembled locally (Debian 12 minbase by
 * debootstrap, cached in .cache/), the Node 24 binary is added, and each image is deploy/Dockerfile's
 * runtime stage over the bundle deploy/build-bundles.sh makes. The containers share the host's
 * network and use the native PostgreSQL and RabbitMQ.
 */
const found = findEngine();
const unavailable =
  'engine' in found
    ? baseUnavailable(found.engine)
    : `no container engine works here (${found.reason})`;
const engine: Engine | undefined = 'engine' in found && !unavailable ? found.engine : undefined;
if (unavailable) console.log(`images-run: skipped, ${unavailable}`);
const describeWithEngine = engine ? describe : describe.skip;

const BUILD_TIMEOUT_MS = 25 * 60_000;
const READY_TIMEOUT_MS = 90_000;
const RUN_ID = `${process.pid}`;

let context: string;
let keysDir: JwtKeysDir;
let containerKeys: string;
let databases: Record<'auth' | 'mail' | 'logs' | 'broker', TestDatabase>;
let vhost: TestVhost;
let loggerGrpcPort: number;
const ports = new Map<ServiceName, number>();
const started: string[] = [];
const report: string[] = [];

const imageOf = (service: ServiceName) => `localhost/micromesh/${service}:test`;
const containerOf = (service: ServiceName) => `micromesh-${service}-${RUN_ID}`;

/** Lowering limits is always allowed; podman's defaults (raising them) are not here. */
function ulimitArgs(): string[] {
  return ['--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];
}

describeWithEngine(
  'service images (deploy/Dockerfile runtime stage on a local Debian base)',
  () => {
    const e = engine as Engine;

    beforeAll(async () => {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      context = fs.mkdtempSync(path.join(os.tmpdir(), 'micromesh-images-'));
      keysDir = await createJwtKeysDir('2026-01-01');
      const [auth, mail, logs, broker, testVhost, nodeImage] = await Promise.all([
        createTestDatabase('images_auth'),
        createTestDatabase('images_mail'),
        createTestDatabase('images_logs'),
        createTestDatabase('images_broker'),
        createTestVhost('images'),
        ensureBaseImage(e).then(() => ensureNodeImage(e)),
        buildBundles(path.join(context, 'out'), SERVICES),
      ]);
      databases = { auth, mail, logs, broker };
      vhost = testVhost;
      loggerGrpcPort = await freePort();

      // The key as a Secret volume gives it: readable by the container's user only.
      containerKeys = fs.mkdtempSync(path.join(os.tmpdir(), 'micromesh-images-jwt-'));
      for (const file of fs.readdirSync(keysDir.dir)) {
        fs.copyFileSync(path.join(keysDir.dir, file), path.join(containerKeys, file));
        fs.chownSync(path.join(containerKeys, file), 1000, 1000);
      }
      fs.chmodSync(containerKeys, 0o755);

      fs.mkdirSync(path.join(context, 'deploy'));
      fs.copyFileSync(
        path.join(repoRoot, 'deploy', 'healthcheck.cjs'),
        path.join(context, 'deploy', 'healthcheck.cjs'),
      );
      fs.writeFileSync(path.join(context, 'Containerfile'), runtimeStageContainerfile());
      for (const service of SERVICES) {
        await engineRun(e, [
          'build',
          '--pull=never',
          '--format=docker',
          '--build-arg',
          `NODE_IMAGE=${nodeImage}`,
          '--build-arg',
          `SERVICE=${service}`,
          '-t',
          imageOf(service),
          '-f',
          path.join(context, 'Containerfile'),
          context,
        ]);
      }
    }, BUILD_TIMEOUT_MS);

    afterAll(async () => {
      for (const name of [...started].reverse()) {
        await engineRun(e, ['rm', '-f', '-t', '10', name]).catch(() => undefined);
      }
      const cleanups = await Promise.allSettled([
        ...Object.values(databases ?? {}).map((db) => db.drop()),
        vhost?.drop(),
      ]);
      for (const result of cleanups) {
        if (result.status === 'rejected')
          console.warn('image test clean-up failed:', result.reason);
      }
      if (context) fs.rmSync(context, { recursive: true, force: true });
      if (containerKeys) fs.rmSync(containerKeys, { recursive: true, force: true });
      await keysDir?.remove();
      if (report.length > 0) console.log(`images-run (${e.name}):\n${report.join('\n')}`);
    }, 120_000);

    // In dependency order: each service gets the containers already running as its peers.
    test.each([...SERVICES])(
      'When the %s image runs read-only, as uid 1000, without capabilities, then /readyz answers 200',
      async (service) => {
        const name = service as ServiceName;
        const port = await freePort();
        ports.set(name, port);
        const env = {
          ...serviceEnv(name, {
            databaseUrls: {
              auth: databases.auth.url,
              mail: databases.mail.url,
              logs: databases.logs.url,
              broker: databases.broker.url,
            },
            amqpUrl: vhost.url,
            jwtKeysDir: '/run/secrets/jwt',
            loggerGrpcPort,
            peerUrl: (peer) => `http://127.0.0.1:${ports.get(peer) ?? 1}`,
          }),
          PORT: String(port),
        };
        const container = containerOf(name);
        started.push(container);

        await engineRun(e, [
          'run',
          '--detach',
          '--name',
          container,
          '--network=host',
          '--read-only',
          '--tmpfs',
          '/tmp:rw,noexec,nosuid,size=64m',
          '--cap-drop=ALL',
          '--security-opt',
          'no-new-privileges',
          ...ulimitArgs(),
          ...(name === 'auth' ? ['--volume', `${containerKeys}:/run/secrets/jwt:ro`] : []),
          ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
          imageOf(name),
        ]);
        const ready = await waitFor(
          async () => {
            const state = await engineRun(e, [
              'inspect',
              '--format',
              '{{.State.Status}}',
              container,
            ]);
            if (state === 'exited') {
              throw new Error(`${name} exited:\n${await engineRun(e, ['logs', container])}`);
            }
            const res = await fetch(`http://127.0.0.1:${port}/readyz`);
            return res.status === 200;
          },
          { timeoutMs: READY_TIMEOUT_MS, intervalMs: 500, what: `${name} /readyz → 200` },
        ).catch(async (error: Error) => {
          const logs = await engineRun(e, ['logs', container]).catch(() => '');
          throw new Error(`${error.message}\n${logs.slice(-4000)}`, { cause: error });
        });

        const uid = await engineRun(e, ['exec', container, 'id', '-u']);
        const capEff = await engineRun(e, [
          'exec',
          container,
          'sh',
          '-c',
          'grep CapEff /proc/1/status | cut -f2',
        ]);
        const write = await engineRun(e, [
          'exec',
          container,
          'sh',
          '-c',
          'touch /app/probe 2>&1 || true',
        ]);
        const readOnly = await engineRun(e, [
          'inspect',
          '--format',
          '{{.HostConfig.ReadonlyRootfs}}',
          container,
        ]);

        expect(ready).toBe(true);
        expect(uid).toBe('1000');
        expect(capEff).toBe('0000000000000000');
        expect(readOnly).toBe('true');
        expect(write).toMatch(/Read-only file system/);
        report.push(
          `  ${name.padEnd(8)} /readyz 200 on :${port}  non-root (uid ${uid})  read-only rootfs (${write.split(': ').pop()})  CapEff ${capEff}`,
        );
      },
      READY_TIMEOUT_MS + 30_000,
    );
  },
);
