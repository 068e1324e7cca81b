import {
  createHttpServer,
  type BoundAddress,
  type HttpServer,
  type HttpServerOptions,
} from '../http/create-http-server';
import { startMetricsServer } from '../http/metrics-server';
import type { RunningService } from './run-main';
import type { BaseConfig, ServiceContext } from './service-context';

export interface StartHttpOptions extends Omit<
  HttpServerOptions,
  'logger' | 'health' | 'metrics' | 'serveMetrics'
> {
  port: number;
  host: string;
}

export interface StartedHttpService extends RunningService {
  server: HttpServer;
  address: BoundAddress;
  /** Where `/metrics` is served: the internal metrics port when METRICS_PORT is set, else `address`. */
  metricsUrl: string;
  /** Graceful stop, the same path SIGTERM takes. */
  stop(): Promise<void>;
}

/**
 * Builds the service's HTTP server, listens, and registers it with the lifecycle last, so at
 * shutdown it drains first, before the resources its handlers use are closed. With METRICS_PORT
 * set, `/metrics` moves to that port (same HOST) and leaves the service's own.
 */
export async function startHttpService<C extends BaseConfig>(
  ctx: ServiceContext<C>,
  options: StartHttpOptions,
): Promise<StartedHttpService> {
  const { port, host, ...serverOptions } = options;
  const metricsPort = ctx.config.METRICS_PORT;
  const server = createHttpServer({
    drainTimeoutMs: ctx.config.SHUTDOWN_DRAIN_MS,
    ...serverOptions,
    serveMetrics: metricsPort === undefined,
    logger: ctx.logger,
    health: ctx.health,
    metrics: ctx.metrics,
  });
  const metricsServer =
    metricsPort === undefined
      ? undefined
      : await startMetricsServer(ctx.metrics, metricsPort, host);
  if (metricsServer) ctx.lifecycle.onShutdown('metrics-http', () => metricsServer.stop());
  let address: BoundAddress;
  try {
    address = await server.start(port, host);
  } catch (err) {
    await metricsServer?.stop();
    throw err;
  }
  ctx.lifecycle.onShutdown('http', () => server.stop());
  const metricsUrl = metricsServer?.url ?? address.url;
  return {
    logger: ctx.logger,
    lifecycle: ctx.lifecycle,
    urls: metricsServer ? { http: address.url, metrics: metricsServer.url } : { http: address.url },
    server,
    address,
    metricsUrl,
    stop: () => ctx.lifecycle.shutdown('stop'),
  };
}
