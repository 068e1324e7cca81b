import {
  createServiceContext,
  loadTlsMaterial,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { LoggerConfig } from './config';
import { createLogStore } from './adapters/create-log-store';
import { createTraceStore } from './adapters/create-trace-store';
import type { LogStore, TraceStore } from './domain/ports';
import { LogService } from './domain/log-service';
import { startRetention } from './domain/retention';
import { StoreMonitor } from './domain/store-monitor';
import { TailHub } from './domain/tail-hub';
import { httpCallers } from './entry-points/callers';
import { TraceService } from './domain/trace-service';
import { startGrpcServer } from './entry-points/grpc/start-grpc-server';
import { mountLogRoutes } from './entry-points/http/log-routes';
import { mountLogStreamRoute } from './entry-points/http/log-stream-route';
import { mountOtlpRoute } from './entry-points/http/otlp-route';
import { mountTraceRoutes } from './entry-points/http/trace-routes';
import { tailMetrics, writeMetrics } from './metrics';

export interface LoggerOverrides {
  logger?: Logger;
}

export interface StartedLogger extends StartedHttpService {
  /** host:port of the gRPC server (LogService + grpc.health.v1). */
  grpcAddress: string;
  store: LogStore;
  traceStore: TraceStore;
  /** Runs one retention pass now (the timer does it every LOG_RETENTION_INTERVAL_MS). */
  runRetention(): Promise<number>;
}

/** Starts the logger service: where every log and event is stored and queried. */
export async function startLogger(
  config: LoggerConfig,
  overrides: LoggerOverrides = {},
): Promise<StartedLogger> {
  const ctx = createServiceContext('logger', config, overrides);
  const { logger, lifecycle } = ctx;
  const tls = loadTlsMaterial(config);

  const store = createLogStore({
    url: config.LOG_STORE_URL,
    ...(config.LOG_STORE_DB ? { database: config.LOG_STORE_DB } : {}),
    logger,
    poolSize: config.LOG_STORE_POOL_SIZE,
    connectTimeoutMs: config.LOG_STORE_CONNECT_TIMEOUT_MS,
    operationTimeoutMs: config.LOG_STORE_OP_TIMEOUT_MS,
    retentionDays: config.LOG_RETENTION_DAYS,
  });
  lifecycle.onShutdown('log store', () => store.close());
  try {
    await store.init();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  ctx.health.addCheck('store', () => store.ping());

  const traceStore = createTraceStore({
    url: config.LOG_STORE_URL,
    ...(config.LOG_STORE_DB ? { database: config.LOG_STORE_DB } : {}),
    logger,
    poolSize: config.TRACE_STORE_POOL_SIZE,
    connectTimeoutMs: config.LOG_STORE_CONNECT_TIMEOUT_MS,
    retentionDays: config.TRACE_RETENTION_DAYS,
  });
  lifecycle.onShutdown('trace store', () => traceStore.close());
  try {
    await traceStore.init();
  } catch (err) {
    await traceStore.close().catch(() => {});
    throw err;
  }
  const traceRetention = startRetention(
    traceStore,
    logger,
    config.TRACE_RETENTION_DAYS,
    config.LOG_RETENTION_INTERVAL_MS,
    'spans',
  );
  lifecycle.onShutdown('trace retention', () => traceRetention.stop());

  const monitor = new StoreMonitor(store, logger, config.LOG_STORE_CHECK_INTERVAL_MS);
  monitor.start();
  lifecycle.onShutdown('store monitor', () => monitor.stop());

  const retention = startRetention(
    store,
    logger,
    config.LOG_RETENTION_DAYS,
    config.LOG_RETENTION_INTERVAL_MS,
  );
  lifecycle.onShutdown('retention', () => retention.stop());

  const tail: TailHub = new TailHub(store, logger, {
    maxSubscribers: config.LOG_TAIL_MAX_SUBSCRIBERS,
    observer: tailMetrics(ctx.metrics, () => tail.size),
  });
  lifecycle.onShutdown('live tail', () => tail.close());

  const service = new LogService(store, monitor, {
    maxBatch: config.LOG_MAX_BATCH,
    writeBatchMax: config.LOG_WRITE_BATCH_MAX,
    writeMaxInFlight: config.LOG_WRITE_MAX_IN_FLIGHT,
    writeMaxPending: config.LOG_WRITE_MAX_PENDING,
    observer: writeMetrics(ctx.metrics),
  });

  const traces = new TraceService(traceStore, {
    logsOf: async (traceId, limit) => (await service.query({ trace_id: traceId, limit })).entries,
  });

  const grpc = await startGrpcServer(service, traces, logger, {
    host: config.HOST,
    port: config.GRPC_PORT,
    maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES,
    tls,
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
    maxConnectionAgeGraceMs: config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
    drainMs: config.SHUTDOWN_DRAIN_MS,
  });
  lifecycle.onShutdown('grpc', () => grpc.stop());
  monitor.onChange((up) => grpc.health.setServing(up && !ctx.health.isShuttingDown));

  const http = await startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    tls,
    callers: httpCallers,
    // One spelling per route: `/logs/STREAM` or `/logs/stream/` is not the live tail (the broker
    // guards the tail by its exact path and forwards only that spelling).
    routing: { caseSensitive: true, strict: true },
    beforeBody: (app) => mountOtlpRoute(app, traces, config.OTLP_MAX_BODY_BYTES),
    routes: (app) => {
      mountLogStreamRoute(app, tail, {
        heartbeatMs: config.LOG_TAIL_HEARTBEAT_MS,
        maxBufferBytes: config.LOG_TAIL_MAX_BUFFER_BYTES,
        health: ctx.health,
      });
      mountLogRoutes(app, service);
      mountTraceRoutes(app, traces);
    },
  });
  // Registered after HTTP, so it runs first at shutdown: gRPC health says NOT_SERVING while the
  // HTTP server drains, like /readyz does.
  lifecycle.onShutdown('grpc health', () => grpc.health.setServing(false));
  logger.info(
    { store: store.kind, grpc: grpc.address, http: http.address.url, mtls: tls !== undefined },
    'logger ready',
  );
  return {
    ...http,
    urls: { ...http.urls, grpc: grpc.address },
    grpcAddress: grpc.address,
    store,
    traceStore,
    runRetention: () => retention.runOnce(),
  };
}
