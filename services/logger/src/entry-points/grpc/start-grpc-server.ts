import { AppError, untraced, type Logger } from '@micromesh/kit';
import {
  addLogService,
  addTraceService,
  OtlpDecodeError,
  bindGrpcServer,
  createGrpcHealth,
  createGrpcServer,
  grpcServerCredentials,
  stopGrpcServer,
  type GrpcHealth,
  type GrpcTlsFiles,
} from '@micromesh/proto';
import type { LogService } from '../../domain/log-service';
import type { TraceService } from '../../domain/trace-service';
import { receiveOtlp } from '../otlp-spans';
import { toGrpcError } from './grpc-errors';
import { logServiceHandlers } from './log-service-handlers';

export interface StartedGrpcServer {
  address: string;
  health: GrpcHealth;
  stop(): Promise<void>;
}

/**
 * LogService, the OTLP collector TraceService and grpc.health.v1 on one port; health starts
 * NOT_SERVING until the owner says so.
 * With TLS files, every connection must present a client certificate from the mesh CA.
 */
export async function startGrpcServer(
  service: LogService,
  traces: TraceService,
  logger: Logger,
  options: {
    host: string;
    port: number;
    maxMessageBytes: number;
    maxConnectionAgeMs: number;
    maxConnectionAgeGraceMs: number;
    /** Calls in flight at shutdown get this long before the server is forced down. */
    drainMs: number;
    tls?: GrpcTlsFiles;
  },
): Promise<StartedGrpcServer> {
  const server = createGrpcServer({
    maxReceiveMessageBytes: options.maxMessageBytes,
    maxConnectionAgeMs: options.maxConnectionAgeMs,
    maxConnectionAgeGraceMs: options.maxConnectionAgeGraceMs,
  });
  addLogService(server, logServiceHandlers(service, logger));
  // Receiving spans is never traced itself (its spans would come back here, without end).
  addTraceService(
    server,
    (spans, invalid) => untraced(() => receiveOtlp(traces, spans, invalid)),
    (error) =>
      toGrpcError(
        error instanceof OtlpDecodeError ? AppError.badRequest(error.message) : error,
        logger,
      ),
  );
  const health = createGrpcHealth();
  health.addToServer(server);
  const port = await bindGrpcServer(
    server,
    `${options.host}:${options.port}`,
    grpcServerCredentials(options.tls),
  );
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    address: `${shownHost}:${port}`,
    health,
    async stop() {
      health.setServing(false);
      await stopGrpcServer(server, options.drainMs);
    },
  };
}
