import { baseEnvShape, env, loadConfig, tlsEnvShape } from '@micromesh/kit';
import { DEFAULT_MAX_MESSAGE_BYTES } from '@micromesh/proto';
import { z } from 'zod';
import { storeUrlProblem } from './adapters/store-url';

export const loggerConfigSchema = z.object({
  ...baseEnvShape,
  ...tlsEnvShape,
  PORT: env.port(8083),
  GRPC_PORT: env.port(50051),
  /**
   * postgres://… (native default) or a MongoDB connection string (compose, k8s: several replica
   * set hosts, or mongodb+srv://); the scheme picks the adapter.
   */
  LOG_STORE_URL: z
    .string()
    .min(1)
    .superRefine((url, ctx) => {
      const problem = storeUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * MongoDB only: the database holding the logs. When unset, the path of LOG_STORE_URL names it
   * (`mongodb://…/micromesh_logs`); never a system database such as `admin`.
   */
  LOG_STORE_DB: z.string().trim().min(1).optional(),
  /** A bulk body of 500 entries is well over the kit's 100kb default. */
  BODY_LIMIT: z.string().default('1mb'),
  /**
   * Largest gRPC request; larger ones fail RESOURCE_EXHAUSTED before reaching a handler. The
   * default (64 MiB) fits a full LOG_MAX_BATCH of maximum-size entries.
   */
  GRPC_MAX_MESSAGE_BYTES: env.int(DEFAULT_MAX_MESSAGE_BYTES, 1024),
  /**
   * Age after which the server ends a client's HTTP/2 connection (GOAWAY), so clients reconnect
   * and a Service spreads them over logger pods the autoscaler added. 0 keeps connections forever.
   */
  GRPC_MAX_CONNECTION_AGE_MS: env.int(60_000),
  /** Time calls in flight on an aged connection get to finish before it is closed. */
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: env.int(10_000),
  /** Most entries in one WriteLogs call or POST /logs/bulk. */
  LOG_MAX_BATCH: env.int(1000, 1),
  /** Entries older than this (by their timestamp) are deleted. 0 keeps everything. */
  LOG_RETENTION_DAYS: env.int(30),
  LOG_RETENTION_INTERVAL_MS: env.int(60 * 60 * 1000, 1000),
  /** Bounds connection acquisition, so a dead store fails a call fast instead of hanging it. */
  LOG_STORE_CONNECT_TIMEOUT_MS: env.int(1000, 100),
  /**
   * MongoDB: budget of one store call (server selection, write-concern wtimeout, query maxTimeMS),
   * below the callers' gRPC deadlines (broker 2 s, listener 5 s).
   */
  LOG_STORE_OP_TIMEOUT_MS: env.int(1500, 100),
  LOG_STORE_POOL_SIZE: env.int(10, 1),
  /** How often the store is probed for gRPC health (and recovery while it is down). */
  LOG_STORE_CHECK_INTERVAL_MS: env.int(2000, 50),
  /** Largest number of single writes coalesced into one multi-row insert. */
  LOG_WRITE_BATCH_MAX: env.int(500, 1),
  /** Concurrent multi-row inserts; further writes wait and join the next batch. */
  LOG_WRITE_MAX_IN_FLIGHT: env.int(4, 1),
  /**
   * Single writes allowed to wait for an insert slot; beyond it a write is answered UNAVAILABLE
   * at once (a stalled store must not grow the queue without bound).
   */
  LOG_WRITE_MAX_PENDING: env.int(5000, 1),
  /** Spans older than this (by their start) are deleted. 0 keeps everything. */
  TRACE_RETENTION_DAYS: env.int(7),
  /** Largest OTLP/HTTP export body (`POST /v1/traces`), after decompression. */
  OTLP_MAX_BODY_BYTES: env.int(8 * 1024 * 1024, 1024),
  /** Connections of the span store's own pool (spans arrive beside the log writes). */
  TRACE_STORE_POOL_SIZE: env.int(4, 1),
  /** Comment line sent on idle live-tail streams so proxies keep them open. */
  LOG_TAIL_HEARTBEAT_MS: env.int(15_000, 100),
  /**
   * Bytes a live-tail stream may have queued for a client that does not read them; past this the
   * stream ends (`event: end`, reason "slow consumer") and its memory is freed.
   */
  LOG_TAIL_MAX_BUFFER_BYTES: env.int(1024 * 1024, 1024),
  /** Live-tail streams one logger serves at once; further ones are 503 with Retry-After. */
  LOG_TAIL_MAX_SUBSCRIBERS: env.int(200, 1),
});

export type LoggerConfig = z.infer<typeof loggerConfigSchema>;

export function loadLoggerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(loggerConfigSchema, source);
}
