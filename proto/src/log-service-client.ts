import * as grpc from '@grpc/grpc-js';
import { loadLoggerPackage } from './load-logger-package';
import type { LogServiceClient } from './generated/logs/LogService';

/**
 * 64 MiB, not gRPC's 4 MiB: a full WriteLogs batch (up to 1000 entries of up to 64 KiB of data
 * each, plus metadata) must fit, or one batch of large entries would be refused forever.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface LogServiceClientOptions {
  /** Interval of HTTP/2 keepalive pings, so a dead peer is noticed without a call (default 30 s). */
  keepaliveTimeMs?: number;
  /** How long a ping may go unanswered before the channel is considered broken (default 10 s). */
  keepaliveTimeoutMs?: number;
  /** Ping even with no call in flight (default true: the channel is long-lived and often idle). */
  keepalivePermitWithoutCalls?: boolean;
  /** Largest response accepted / request sent (default DEFAULT_MAX_MESSAGE_BYTES, 64 MiB). */
  maxReceiveMessageBytes?: number;
  maxSendMessageBytes?: number;
  /** Defaults to insecure credentials: the mesh talks plaintext inside its network. */
  credentials?: grpc.ChannelCredentials;
  /** Extra raw channel options, merged last. */
  channelOptions?: grpc.ChannelOptions;
}

/**
 * Spread calls over every address the target resolves to (round robin), not gRPC's default
 * pick_first, which sends everything down the first connection. With a headless Kubernetes Service
 * (`logger`, clusterIP None) the DNS name resolves to every ready logger pod, so scaling the logger
 * out takes load at once; the server's max connection age makes clients re-resolve as pods come
 * and go. With one address (native runs, compose) it is the same as pick_first.
 */
export const ROUND_ROBIN_SERVICE_CONFIG = JSON.stringify({
  loadBalancingConfig: [{ round_robin: {} }],
});

/**
 * Creates ONE long-lived LogService client (one HTTP/2 channel per resolved address, calls spread
 * round robin). Create it at start-up, share it, `close()` it on shutdown; give each call its own
 * deadline (see `callUnary`).
 */
export function createLogServiceClient(
  address: string,
  options: LogServiceClientOptions = {},
): LogServiceClient {
  const { LogService } = loadLoggerPackage().logs;
  return new LogService(address, options.credentials ?? grpc.credentials.createInsecure(), {
    'grpc.keepalive_time_ms': options.keepaliveTimeMs ?? 30_000,
    'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? 10_000,
    'grpc.keepalive_permit_without_calls': options.keepalivePermitWithoutCalls === false ? 0 : 1,
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    'grpc.service_config': ROUND_ROBIN_SERVICE_CONFIG,
    ...options.channelOptions,
  });
}
