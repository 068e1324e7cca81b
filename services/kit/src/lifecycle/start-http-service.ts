import {
  createHttpServer,
  type BoundAddress,
  type HttpServer,
  type HttpServerOptions,
} from '../http/create-http-server';
import type { RunningService } from './run-main';
import type { BaseConfig, ServiceContext } from './service-context';

export interface StartHttpOptions extends Omit<HttpServerOptions, 'logger' | 'health' | 'metrics'> {
  port: number;
  host: string;
}

export interface StartedHttpService extends RunningService {
  server: HttpServer;
  address: BoundAddress;
  /** Graceful stop, the same path SIGTERM takes. */
  stop(): Promise<void>;
}

/**
 * Builds the service's HTTP server, listens, and registers it with the lifecycle last, so at
 * shutdown it drains first, before the resources its handlers use are closed.
 */
export async function startHttpService<C extends BaseConfig>(
  ctx: ServiceContext<C>,
  options: StartHttpOptions,
): Promise<StartedHttpService> {
  const { port, host, ...serverOptions } = options;
  const server = createHttpServer({
    drainTimeoutMs: ctx.config.SHUTDOWN_DRAIN_MS,
    ...serverOptions,
    logger: ctx.logger,
    health: ctx.health,
    metrics: ctx.metrics,
  });
  const address = await server.start(port, host);
  ctx.lifecycle.onShutdown('http', () => server.stop());
  return {
    logger: ctx.logger,
    lifecycle: ctx.lifecycle,
    urls: { http: address.url },
    server,
    address,
    stop: () => ctx.lifecycle.shutdown('stop'),
  };
}
