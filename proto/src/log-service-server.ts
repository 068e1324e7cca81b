import * as grpc from '@grpc/grpc-js';
import { loadLoggerPackage } from './load-logger-package';
import { DEFAULT_MAX_MESSAGE_BYTES } from './log-service-client';
import type { LogServiceHandlers } from './generated/logs/LogService';

export interface GrpcServerOptions {
  /** Requests larger than this fail with RESOURCE_EXHAUSTED before any handler runs. */
  maxReceiveMessageBytes?: number;
  maxSendMessageBytes?: number;
  /**
   * Connections older than this get a GOAWAY and the client reconnects, so long-lived channels
   * behind a Kubernetes Service spread over new pods. Unset or 0: connections live forever.
   */
  maxConnectionAgeMs?: number;
  /** How long calls in flight on an aged connection may still run before it is closed. */
  maxConnectionAgeGraceMs?: number;
  /** Extra raw server options, merged last. */
  serverOptions?: grpc.ServerOptions;
}

/** A grpc-js server with explicit message size limits (DEFAULT_MAX_MESSAGE_BYTES unless told). */
export function createGrpcServer(options: GrpcServerOptions = {}): grpc.Server {
  return new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    // Clients of this mesh ping every 30 s even when idle; allow it rather than send GOAWAY.
    'grpc.keepalive_permit_without_calls': 1,
    ...(options.maxConnectionAgeMs
      ? {
          'grpc.max_connection_age_ms': options.maxConnectionAgeMs,
          'grpc.max_connection_age_grace_ms': options.maxConnectionAgeGraceMs ?? 10_000,
        }
      : {}),
    ...options.serverOptions,
  });
}

/** Registers the LogService implementation; handlers are checked against the generated types. */
export function addLogService(server: grpc.Server, handlers: LogServiceHandlers): void {
  server.addService(loadLoggerPackage().logs.LogService.service, handlers);
}

/** Binds the server (insecure: plaintext inside the mesh) and resolves with the bound port. */
export function bindGrpcServer(
  server: grpc.Server,
  address: string,
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) =>
      error ? reject(error) : resolve(port),
    );
  });
}

/** Graceful stop bounded by `graceMs`, then a forced shutdown (so SIGTERM never hangs). */
export function stopGrpcServer(server: grpc.Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
