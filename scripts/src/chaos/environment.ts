import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createJwtKeysDir,
  ensureDevCertificates,
  createTestDatabase,
  createTestVhost,
  startPrivatePostgres,
  startPrivateRabbitMq,
  type PrivatePostgres,
  type PrivateRabbitMq,
} from '@micromesh/kit/testing';
import { freePorts } from '../mesh/free-ports';
import { launchMesh, type Mesh, type SupervisorEvent } from '../mesh/launcher';
import { fetchAs, TLS_SERVICES } from '../mesh/mesh-tls';
import type { MeshSettings, ServiceName } from '../mesh/settings';
import { startChaosSmtpSink, type ChaosSmtpSink } from './smtp-sink';

export interface ChaosEnvironment {
  mesh: Mesh;
  settings: MeshSettings;
  brokerUrl: string;
  amqpUrl: string;
  smtp: ChaosSmtpSink;
  /** Present when the scenario needs to break RabbitMQ / PostgreSQL: a node of its own. */
  rabbit?: PrivateRabbitMq;
  postgres?: PrivatePostgres;
  supervisorEvents: SupervisorEvent[];
  /** Every service answers /readyz 200 right now. */
  allReady(): Promise<boolean>;
  notReady(): Promise<ServiceName[]>;
  recentOutput(): string;
  teardown(): Promise<void>;
}

export interface ChaosEnvironmentOptions {
  root: string;
  privateRabbit?: boolean;
  privatePostgres?: boolean;
  /** Mutual TLS between the services, as scripts/up runs them (default: on). */
  tls?: boolean;
  /** Variables for every service (e.g. raised rate limits: the chaos clients share one IP). */
  extraEnv?: Record<string, string>;
  output?: (line: string) => void;
}

/**
 * A mesh of the chaos run's own, supervised as scripts/up supervises: free ports, fresh
 * databases and vhost (or a private PostgreSQL / RabbitMQ it may restart and kill), and an
 * in-process SMTP server it can take down or slow down.
 */
export async function startChaosEnvironment(
  options: ChaosEnvironmentOptions,
): Promise<ChaosEnvironment> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  const lines: string[] = [];
  const output = (line: string) => {
    lines.push(line);
    if (lines.length > 400) lines.shift();
    options.output?.(line);
  };
  try {
    let postgres: PrivatePostgres | undefined;
    let db: (prefix: string) => Promise<string>;
    if (options.privatePostgres) {
      const pg = await startPrivatePostgres();
      postgres = pg;
      cleanups.push(() => pg.destroy());
      db = (prefix) => pg.createDatabase(`chaos_${prefix}`);
    } else {
      db = async (prefix) => {
        const created = await createTestDatabase(`chaos_${prefix}`);
        cleanups.push(() => created.drop());
        return created.url;
      };
    }
    let rabbit: PrivateRabbitMq | undefined;
    let amqpUrl: string;
    if (options.privateRabbit) {
      const node = await startPrivateRabbitMq();
      rabbit = node;
      cleanups.push(() => node.destroy());
      amqpUrl = node.url;
    } else {
      const vhost = await createTestVhost('chaos');
      cleanups.push(() => vhost.drop());
      amqpUrl = vhost.url;
    }
    const jwtKeys = await createJwtKeysDir('chaos');
    cleanups.push(() => jwtKeys.remove());
    let tlsDir: string | undefined;
    if (options.tls ?? true) {
      const dir = await mkdtemp(path.join(tmpdir(), 'chaos-tls-'));
      tlsDir = dir;
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      ensureDevCertificates(dir, TLS_SERVICES, {
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      });
    }
    // Internal services answer HTTPS under mutual TLS: probe them as the broker would.
    const probe = fetchAs(tlsDir);

    const [
      broker,
      frontend,
      auth,
      logger,
      loggerGrpc,
      mail,
      listener,
      smtpPort,
      smtpWeb,
      brokerMetrics,
    ] = (await freePorts(10)) as [
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
    const smtp = await startChaosSmtpSink(smtpPort);
    cleanups.push(() => smtp.close());

    const settings: MeshSettings = {
      root: options.root,
      ports: {
        broker,
        frontend,
        auth,
        logger,
        loggerGrpc,
        mail,
        listener,
        smtp: smtpPort,
        smtpWeb,
        brokerMetrics,
      },
      authDatabaseUrl: await db('auth'),
      mailDatabaseUrl: await db('mail'),
      brokerDatabaseUrl: await db('broker'),
      logStoreUrl: await db('logs'),
      amqpUrl,
      jwtKeysDir: jwtKeys.dir,
      seedAdmin: { email: 'admin@example.com', password: 'verysecret' },
      bcryptCost: 4,
      logLevel: 'warn',
      // Faults are about what is accepted, stored, lost; spans would be traffic of their own.
      tracing: { enabled: false, ratio: 0 },
      extraEnv: options.extraEnv,
      tlsDir,
    };
    const supervisorEvents: SupervisorEvent[] = [];
    const mesh = await launchMesh({
      settings,
      smtpSink: false,
      supervise: { initialDelayMs: 250 },
      onSupervisorEvent: (e) => supervisorEvents.push(e),
      readyTimeoutMs: 90_000,
      output,
    });
    cleanups.push(() => mesh.stop());

    const notReady = async () => {
      const results = await Promise.all(
        mesh.specs.map(async (spec) => {
          try {
            const res = await probe(`${spec.httpUrl}/readyz`, {
              signal: AbortSignal.timeout(2_000),
            });
            await res.arrayBuffer();
            return res.ok ? undefined : spec.name;
          } catch {
            return spec.name;
          }
        }),
      );
      return results.filter((n): n is ServiceName => n !== undefined);
    };
    return {
      mesh,
      settings,
      brokerUrl: `http://127.0.0.1:${broker}`,
      amqpUrl,
      smtp,
      rabbit,
      postgres,
      supervisorEvents,
      notReady,
      allReady: async () => (await notReady()).length === 0,
      recentOutput: () => lines.join('\n'),
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}
