import { baseEnvShape, env, loadConfig, tlsEnvShape } from '@micromesh/kit';
import { z } from 'zod';

export const listenerConfigSchema = z
  .object({
    ...baseEnvShape,
    ...tlsEnvShape,
    PORT: env.port(8085),
    /** RabbitMQ holding logs_topic (amqp://user:pass@host:port/vhost). */
    AMQP_URL: z.string().regex(/^amqps?:\/\//, 'an amqp:// or amqps:// URL'),
    /** The logger's gRPC endpoint, host:port. */
    LOGGER_GRPC_ADDRESS: z.string().min(1),
    /**
     * Unacknowledged messages RabbitMQ may hand us at once: the in-memory window in messages (see
     * LISTENER_MAX_INFLIGHT_BYTES, which usually bounds it lower). Keep it at least
     * (LISTENER_MAX_IN_FLIGHT + 1) × LISTENER_BATCH_SIZE, so a full batch can gather while others
     * are in flight.
     */
    LISTENER_PREFETCH: env.int(1_500, 1),
    /**
     * Bytes of message bodies held at most (taken and not yet stored): the window is bounded by this
     * as well as by LISTENER_PREFETCH, so it fits the process whatever the events' sizes. RabbitMQ
     * counts only messages, so the prefetch becomes at most this ÷ the largest legal event (128 KiB):
     * 128 with the default 16 MiB. A held body costs about three times its size (body, parsed event,
     * request), measured in test/memory-bound.test.ts; raise it with the pod's memory limit.
     */
    LISTENER_MAX_INFLIGHT_BYTES: env.int(16 * 1024 * 1024, 1),
    /** Events per WriteLogs call. */
    LISTENER_BATCH_SIZE: env.int(500, 1),
    /** WriteLogs calls in flight at once (acks still go out in delivery order). */
    LISTENER_MAX_IN_FLIGHT: env.int(2, 1),
    /** Longest a partial batch waits for more events before it is sent. */
    LISTENER_FLUSH_MS: env.int(20, 0),
    /** Deadline of one WriteLogs call. */
    LOGGER_DEADLINE_MS: env.int(5_000, 1),
    /** Backoff between attempts while the logger cannot take a batch (exponential, capped). */
    LISTENER_RETRY_MIN_MS: env.int(200, 1),
    LISTENER_RETRY_MAX_MS: env.int(5_000, 1),
    /**
     * Attempts an event gets when the logger fails it, alone, with an unexpected error (INTERNAL,
     * UNKNOWN, …); then it is dead-lettered (`retries_exhausted`).
     */
    LISTENER_MAX_ATTEMPTS: env.int(5, 1),
  })
  .refine((c) => c.LISTENER_RETRY_MIN_MS <= c.LISTENER_RETRY_MAX_MS, {
    message: 'LISTENER_RETRY_MIN_MS must not exceed LISTENER_RETRY_MAX_MS',
    path: ['LISTENER_RETRY_MIN_MS'],
  });

export type ListenerConfig = z.infer<typeof listenerConfigSchema>;

export function loadListenerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(listenerConfigSchema, source);
}
