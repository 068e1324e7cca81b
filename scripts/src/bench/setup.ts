import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import {
  createJwtKeysDir,
  ensureDevCertificates,
  createTestDatabase,
  createTestVhost,
  type TestDatabase,
} from '@micromesh/kit/testing';
import { spawnManaged, waitUntilReady, type ManagedProcess } from '../mesh/child-process';
import { freePorts } from '../mesh/free-ports';
import { launchMesh, type Mesh } from '../mesh/launcher';
import { TLS_SERVICES } from '../mesh/mesh-tls';
import type { MeshSettings, ServiceName, TracingSettings } from '../mesh/settings';
import { startPeer } from './peer/start-peer';

export interface BenchEnvironment {
  /** The running mesh (replaced by relaunch). */
  mesh: Mesh;
  settings: MeshSettings;
  brokerUrl: string;
  baselineUrl: string;
  /** The Moleculer peer's gateway, when it was asked for. */
  peerUrl?: string;
  /** Process ids of the two comparison gateways (for their CPU per request). */
  baselineGatewayPid?: number;
  peerGatewayPid?: number;
  logsDatabaseUrl: string;
  amqpUrl: string;
  /** Stops the mesh and starts it again on the same stores with other tracing settings. */
  relaunch(tracing: TracingSettings): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * A mesh of its own for the benchmark (fresh databases and RabbitMQ vhost, free ports, so a dev
 * mesh on the default ports is untouched), plus the naive baseline beside it. `tls`: the services
 * talk mutual TLS (their own dev CA), as scripts/up runs them; otherwise plaintext.
 */
export async function startBenchEnvironment(options: {
  root: string;
  bcryptCost: number;
  brokerEnv: Record<string, string>;
  nodeArgs: string[];
  /** Also start the Moleculer peer (gateway + logger node) beside the baseline. */
  peer: boolean;
  /** OpenTelemetry in every service, and its sampling ratio. */
  tracing: TracingSettings;
  output: (line: string) => void;
  /** Each mesh service's output, unparsed (see LaunchOptions.rawOutput). */
  rawOutput?: (service: ServiceName) => Writable;
  tls?: boolean;
}): Promise<BenchEnvironment> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const databases: TestDatabase[] = await Promise.all(
      [
        'bench_auth',
        'bench_logs',
        'bench_mail',
        'bench_baseline',
        'bench_peer',
        'bench_broker',
      ].map((p) => createTestDatabase(p)),
    );
    cleanups.push(() => Promise.all(databases.map((db) => db.drop())));
    const [authDb, logsDb, mailDb, baselineDb, peerDb, brokerDb] = databases as [
      TestDatabase,
      TestDatabase,
      TestDatabase,
      TestDatabase,
      TestDatabase,
      TestDatabase,
    ];
    const vhost = await createTestVhost('bench');
    cleanups.push(() => vhost.drop());

    const jwtKeys = await createJwtKeysDir('bench');
    cleanups.push(() => jwtKeys.remove());

    let tlsDir: string | undefined;
    if (options.tls) {
      const dir = await mkdtemp(path.join(tmpdir(), 'bench-tls-'));
      tlsDir = dir;
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      ensureDevCertificates(dir, TLS_SERVICES, {
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      });
    }

    const [
      broker,
      frontend,
      auth,
      logger,
      loggerGrpc,
      mail,
      listener,
      smtp,
      smtpWeb,
      baseHttp,
      baseGrpc,
      brokerMetrics,
    ] = (await freePorts(12)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const settings: MeshSettings = {
      root: options.root,
      ports: {
        broker,
        brokerMetrics,
        frontend,
        auth,
        logger,
        loggerGrpc,
        mail,
        listener,
        smtp,
        smtpWeb,
      },
      authDatabaseUrl: authDb.url,
      mailDatabaseUrl: mailDb.url,
      brokerDatabaseUrl: brokerDb.url,
      logStoreUrl: logsDb.url,
      amqpUrl: vhost.url,
      jwtKeysDir: jwtKeys.dir,
      seedAdmin: { email: 'admin@example.com', password: 'verysecret' },
      bcryptCost: options.bcryptCost,
      logLevel: 'info',
      tracing: options.tracing,
      extraEnv: options.brokerEnv,
      tlsDir,
    };
    const launch = (tracing: TracingSettings) =>
      launchMesh({
        settings: { ...settings, tracing },
        output: options.output,
        ...(options.rawOutput ? { rawOutput: options.rawOutput } : {}),
        smtpSink: true,
        nodeArgs: options.nodeArgs,
      });
    let mesh = await launch(options.tracing);
    cleanups.push(() => mesh.stop());

    const started: ManagedProcess[] = [];
    cleanups.push(() => Promise.all(started.map((p) => p.stop())));
    let storeReady!: () => void;
    const storeUp = new Promise<void>((resolve) => {
      storeReady = resolve;
    });
    const dist = path.join(options.root, 'scripts', 'dist', 'bench', 'baseline');
    started.push(
      spawnManaged({
        name: 'baseline-store',
        command: process.execPath,
        args: [path.join(dist, 'grpc-store.js')],
        cwd: options.root,
        env: { BASELINE_PG_URL: baselineDb.url, BASELINE_GRPC_PORT: String(baseGrpc) },
        onLine: (line) => {
          options.output(`baseline-store │ ${line}`);
          if (line.includes('ready')) storeReady();
        },
      }),
    );
    await Promise.race([
      storeUp,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('baseline store did not start')), 30_000),
      ),
    ]);
    const gateway = spawnManaged({
      name: 'baseline-gateway',
      command: process.execPath,
      args: [path.join(dist, 'http-gateway.js')],
      cwd: options.root,
      env: { BASELINE_HTTP_PORT: String(baseHttp), BASELINE_GRPC_ADDRESS: `127.0.0.1:${baseGrpc}` },
      onLine: (line) => options.output(`baseline-gateway │ ${line}`),
    });
    started.push(gateway);
    await waitUntilReady(`http://127.0.0.1:${baseHttp}/readyz`, gateway, 30_000);

    let peerUrl: string | undefined;
    let peerGatewayPid: number | undefined;
    if (options.peer) {
      const peer = await startPeer({
        root: options.root,
        databaseUrl: peerDb.url,
        amqpUrl: vhost.url,
        // The key the bench mesh's auth service signs with (auth loads every *.pem in the dir).
        jwtKeyFile: path.join(jwtKeys.dir, 'bench.pem'),
        rateLimitPoints: Number(options.brokerEnv.RATE_LIMIT_POINTS ?? 6_000),
        output: options.output,
      });
      cleanups.push(() => peer.stop());
      peerUrl = peer.url;
      peerGatewayPid = peer.gateway.child.pid;
    }

    return {
      get mesh() {
        return mesh;
      },
      settings,
      brokerUrl: `http://127.0.0.1:${broker}`,
      baselineUrl: `http://127.0.0.1:${baseHttp}`,
      ...(peerUrl ? { peerUrl, peerGatewayPid } : {}),
      baselineGatewayPid: gateway.child.pid,
      logsDatabaseUrl: logsDb.url,
      amqpUrl: vhost.url,
      async relaunch(tracing) {
        await mesh.stop();
        mesh = await launch(tracing);
      },
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}
