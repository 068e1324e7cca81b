import {
  createTestDatabase,
  createTestVhost,
  freePort,
  startServiceProcess,
  type ServiceProcess,
  type TestVhost,
} from '@micromesh/kit/testing';
import { connectLoggerApi, type LoggerApi } from './logger-api';
import { startLoggerFront, type LoggerFront, type LoggerFrontFaults } from './logger-front';
import { connectTestPublisher, type TestPublisher } from './test-publisher';

export interface ListenerMesh {
  amqpUrl: string;
  /** Present when the mesh runs on a fresh vhost of the shared RabbitMQ. */
  vhost?: TestVhost;
  logger: ServiceProcess;
  /** Name of the logger's PostgreSQL database: for CPU accounting of its backends, never queried. */
  database: string;
  /** What the logger stored, through its QueryLogs. */
  logs: LoggerApi;
  /** Present when the listener talks to a front instead of the logger (MeshOptions.loggerFront). */
  front?: LoggerFront;
  listener: ServiceProcess;
  publisher: TestPublisher;
  close(): Promise<void>;
}

export interface MeshOptions {
  /** RabbitMQ to use; default a fresh vhost on the shared broker. */
  amqpUrl?: string;
  listenerEnv?: Record<string, string>;
  /** More of the logger's environment (e.g. a lower GRPC_MAX_MESSAGE_BYTES). */
  loggerEnv?: Record<string, string>;
  /** Node flags of the listener process (e.g. a heap limit like a pod's). */
  listenerNodeArgs?: string[];
  /**
   * Puts a gRPC front between the listener and the logger (./logger-front.ts), with these faults
   * from the start (more can be added through `mesh.front`). Closed with the mesh.
   */
  loggerFront?: LoggerFrontFaults;
}

/**
 * The real pipeline under test, each part a real process: logger (gRPC, fresh PostgreSQL
 * database) ← listener ← RabbitMQ (fresh vhost) ← a confirmed publisher. The tests see the logger
 * only through its API (QueryLogs, /metrics), never its database.
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
    const grpcPort = await freePort();
    const logger = await startServiceProcess({
      service: 'logger',
      env: {
        LOG_STORE_URL: db.url,
        GRPC_PORT: String(grpcPort),
        LOG_LEVEL: 'warn',
        ...options.loggerEnv,
      },
    });
    cleanup.push(() => logger.stop());
    const loggerAddress = `127.0.0.1:${grpcPort}`;
    const logs = connectLoggerApi(loggerAddress);
    cleanup.push(async () => logs.close());
    const front = options.loggerFront
      ? await startLoggerFront(loggerAddress, options.loggerFront)
      : undefined;
    if (front) cleanup.push(() => front.close());
    const listener = await startServiceProcess({
      service: 'listener',
      nodeArgs: options.listenerNodeArgs,
      env: {
        AMQP_URL: amqpUrl,
        LOGGER_GRPC_ADDRESS: front?.address ?? loggerAddress,
        LOG_LEVEL: 'info',
        // A short backoff ceiling keeps the outage tests quick (production default: 5 s).
        LISTENER_RETRY_MAX_MS: '1000',
        ...options.listenerEnv,
      },
    });
    cleanup.push(() => listener.stop());
    const publisher = await connectTestPublisher(amqpUrl);
    cleanup.push(() => publisher.close());
    return {
      amqpUrl,
      vhost,
      logger,
      database: db.name,
      logs,
      front,
      listener,
      publisher,
      close: undo,
    };
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
