import {
  createTestDatabase,
  createTestVhost,
  freePort,
  startServiceProcess,
  type ServiceProcess,
  type TestDatabase,
  type TestVhost,
} from '@micromesh/kit/testing';
import { openLogStore, type LogStore } from './log-store';
import { connectTestPublisher, type TestPublisher } from './test-publisher';

export interface ListenerMesh {
  amqpUrl: string;
  /** Present when the mesh runs on a fresh vhost of the shared RabbitMQ. */
  vhost?: TestVhost;
  db: TestDatabase;
  logger: ServiceProcess;
  listener: ServiceProcess;
  publisher: TestPublisher;
  store: LogStore;
  close(): Promise<void>;
}

export interface MeshOptions {
  /** RabbitMQ to use; default a fresh vhost on the shared broker. */
  amqpUrl?: string;
  listenerEnv?: Record<string, string>;
  /**
   * Something the listener talks to instead of the logger (e.g. a gRPC front that fails some
   * calls); given the logger's gRPC address, it answers its own. Closed with the mesh.
   */
  loggerFront?(loggerAddress: string): Promise<{ address: string; close(): Promise<void> }>;
}

/**
 * The real pipeline under test, each part a real process: logger (gRPC, fresh PostgreSQL
 * database) ← listener ← RabbitMQ (fresh vhost) ← a confirmed publisher.
 * Needs `npx tsc -b services/logger services/listener` (scripts/test builds everything).
 */
export async function startListenerMesh(
  prefix: string,
  options: MeshOptions = {},
): Promise<ListenerMesh> {
  // Undone in reverse when setup fails half-way, or by close().
  const cleanup: (() => Promise<unknown>)[] = [];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    const vhost = options.amqpUrl ? undefined : await createTestVhost(prefix);
    if (vhost) cleanup.push(() => vhost.drop());
    const amqpUrl = options.amqpUrl ?? vhost?.url ?? '';
    const db = await createTestDatabase(prefix.replace(/-/g, '_'));
    cleanup.push(() => db.drop());
    const store = openLogStore(db.url);
    cleanup.push(() => store.close());
    const grpcPort = await freePort();
    const logger = await startServiceProcess({
      service: 'logger',
      env: { LOG_STORE_URL: db.url, GRPC_PORT: String(grpcPort), LOG_LEVEL: 'warn' },
    });
    cleanup.push(() => logger.stop());
    const front = await options.loggerFront?.(`127.0.0.1:${grpcPort}`);
    if (front) cleanup.push(() => front.close());
    const listener = await startServiceProcess({
      service: 'listener',
      env: {
        AMQP_URL: amqpUrl,
        LOGGER_GRPC_ADDRESS: front?.address ?? `127.0.0.1:${grpcPort}`,
        LOG_LEVEL: 'info',
        // A short backoff ceiling keeps the outage tests quick (production default: 5 s).
        LISTENER_RETRY_MAX_MS: '1000',
        ...options.listenerEnv,
      },
    });
    cleanup.push(() => listener.stop());
    const publisher = await connectTestPublisher(amqpUrl);
    cleanup.push(() => publisher.close());
    return { amqpUrl, vhost, db, logger, listener, publisher, store, close: undo };
  } catch (err) {
    await undo();
    throw err;
  }
}

/** Sum of a series from a service's /metrics, over the lines carrying every given label. */
export async function metricValue(
  service: ServiceProcess,
  series: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([name, value]) => `${name}="${value}"`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${series} `) || line.startsWith(`${series}{`))
    .filter((line) => wanted.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * Entries the logger reports it wrote (logger_entries_total{outcome="stored"}): a second copy of an
 * event under any event_id counts here, where a row count under the unique event_id could not
 * see it. Redeliveries of a stored event count as `duplicate`, not here.
 */
export function loggerWritten(mesh: ListenerMesh): Promise<number> {
  return metricValue(mesh.logger, 'logger_entries_total', { outcome: 'stored' });
}
