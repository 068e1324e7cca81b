import {
  AmqpConnection,
  createServiceContext,
  loadTlsMaterial,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { ListenerConfig } from './config';
import { createGrpcLogWriter, MAX_REQUEST_BYTES } from './adapters/grpc-log-writer';
import { LogConsumer } from './entry-points/amqp/log-consumer';
import { createListenerMetrics } from './metrics';

export interface ListenerOverrides {
  logger?: Logger;
}

/**
 * The largest event body the window is sized for: the broker takes at most 100 kB of JSON per
 * request, and an event is that request's event plus its id, service and timestamps. (A body
 * larger than this, from another publisher, is still bounded: the byte window gives it back.)
 */
const LARGEST_EVENT_BYTES = 128 * 1024;

/** Share of the shutdown budget given to storing and acking the batches in hand. */
const DRAIN_SHARE = 0.5;

/**
 * Starts the listener: consumes the listener queue on logs_topic and forwards the events to the
 * logger over gRPC; HTTP only for /livez, /readyz and /metrics. Nothing blocks on RabbitMQ or the
 * logger here: both are reached in the background and reported by /readyz.
 */
export async function startListener(
  config: ListenerConfig,
  overrides: ListenerOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('listener', config, overrides);
  const { logger } = ctx;
  // The dead-letter queue's depth is read at scrape time through the consumer made below.
  const deadLetters = { depth: async (): Promise<number | undefined> => undefined };
  const metrics = createListenerMetrics(ctx.metrics.registry, () => deadLetters.depth());

  const tls = loadTlsMaterial(config);
  const writer = createGrpcLogWriter(config.LOGGER_GRPC_ADDRESS, config.LOGGER_DEADLINE_MS, tls);
  ctx.lifecycle.onShutdown('logger-grpc', () => writer.close());

  const amqp = new AmqpConnection({
    url: config.AMQP_URL,
    logger,
    name: 'listener',
    reconnect: { initialDelayMs: 250, maxDelayMs: config.LISTENER_RETRY_MAX_MS },
  });
  ctx.lifecycle.onShutdown('amqp', () => amqp.close());

  const consumer = new LogConsumer({
    prefetch: config.LISTENER_PREFETCH,
    maxInFlightBytes: config.LISTENER_MAX_INFLIGHT_BYTES,
    largestEventBytes: LARGEST_EVENT_BYTES,
    batchSize: config.LISTENER_BATCH_SIZE,
    maxInFlight: config.LISTENER_MAX_IN_FLIGHT,
    maxBatchBytes: MAX_REQUEST_BYTES,
    flushMs: config.LISTENER_FLUSH_MS,
    retry: { minMs: config.LISTENER_RETRY_MIN_MS, maxMs: config.LISTENER_RETRY_MAX_MS },
    store: writer,
    maxAttempts: config.LISTENER_MAX_ATTEMPTS,
    metrics,
    logger,
  });
  deadLetters.depth = () => consumer.deadLetterDepth();
  amqp.onConnect((model) => consumer.attach(model));
  amqp.onDisconnect((reason) => consumer.detach(reason));
  ctx.lifecycle.onShutdown('consumer', () =>
    consumer.stop(config.SHUTDOWN_TIMEOUT_MS * DRAIN_SHARE),
  );

  ctx.health.addCheck('rabbitmq', amqp.healthCheck());
  ctx.health.addCheck('forwarding', async () => {
    consumer.checkForwarding();
    if (!writer.reachable()) throw new Error('logger unreachable');
  });

  amqp.start();
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    // Health and metrics only: no route of its own for any caller.
    tls,
    callers: [],
    routes: () => {},
  });
}
