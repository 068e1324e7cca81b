import type { Logger } from '@micromesh/kit';
import {
  addLogService,
  bindGrpcServer,
  createGrpcHealth,
  createGrpcServer,
  grpcServerCredentials,
  stopGrpcServer,
  type GrpcHealth,
  type GrpcTlsFiles,
} from '@micromesh/proto';
import type { LogService } from '../../domain/log-service';
import { logServiceHandlers } from './log-service-handlers';

export interface StartedGrpcServer {
  address: string;
  health: GrpcHealth;
  stop(): Promise<void>;
}

/**
 * LogService + grpc.health.v1 on one port; health starts NOT_SERVING until the owner says so.
 * With TLS files, every connection must present a client certificate from the mesh CA.
 */
export async function startGrpcServer(
  service: LogService,
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
