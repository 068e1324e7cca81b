import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import pinoHttp from 'pino-http';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from '../errors/error-handler';
import type { Health } from '../health/health';
import { httpMetricsMiddleware, type Metrics } from '../metrics/metrics';
import { ok } from './envelope';
import { requestContextMiddleware, resolveRequestId } from './request-id-middleware';
import { requireJsonBody } from './require-json';

export interface HttpServerOptions {
  logger: Logger;
  health: Health;
  metrics: Metrics;
  /** Mounts the service's own routes; runs after the common middleware, before the 404. */
  routes: (app: Express) => void;
  /** Largest JSON body accepted (body-parser syntax). */
  bodyLimit?: string;
  /** Express `trust proxy`: hop count, subnet list or false. Never `true`. */
  trustProxy?: number | string | false;
  helmet?: HelmetOptions;
  /** Runs before the JSON parser (e.g. CORS, static files). */
  beforeBody?: (app: Express) => void;
  /** How long stop() lets in-flight requests finish before cutting connections. */
  drainTimeoutMs?: number;
}

export interface BoundAddress {
  host: string;
  port: number;
  url: string;
}

export interface HttpServer {
  app: Express;
  /** Listens and resolves with the bound address; port 0 picks a free port. */
  start(port: number, host?: string): Promise<BoundAddress>;
  /** Stops accepting, lets in-flight requests finish (bounded), closes every connection. */
  stop(): Promise<void>;
}

const QUIET_PATHS = new Set(['/livez', '/readyz', '/metrics']);

/** The express app every service shares: ids, logs, helmet, metrics, health, envelope errors. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { logger, health, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);

  app.use(
    pinoHttp({
      logger,
      genReqId: resolveRequestId,
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? '') },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(requestContextMiddleware);
  app.use(helmet(options.helmet));
  app.use(httpMetricsMiddleware(metrics));

  app.get('/livez', (_req, res) => {
    res.json(ok('alive'));
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await health.readiness();
    res.status(readiness.ready ? 200 : 503).json({
      error: !readiness.ready,
      message: readiness.ready ? 'ready' : 'not ready',
      data: readiness,
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  options.beforeBody?.(app);
  app.use(requireJsonBody);
  app.use(express.json({ limit: options.bodyLimit ?? '100kb', strict: true }));
  options.routes(app);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  let server: Server | undefined;
  const drainTimeoutMs = options.drainTimeoutMs ?? 5_000;

  return {
    app,
    async start(port, host = '127.0.0.1') {
      const listening = app.listen(port, host);
      server = listening;
      // Node's defaults (5 s keep-alive) are shorter than most proxies' idle timeouts; outlive them.
      listening.keepAliveTimeout = 65_000;
      listening.headersTimeout = 66_000;
      await once(listening, 'listening');
      const address = listening.address() as AddressInfo;
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      return {
        host: address.address,
        port: address.port,
        url: `http://${shownHost}:${address.port}`,
      };
    },
    async stop() {
      const current = server;
      if (!current?.listening) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => current.close(() => resolve()));
      // Keep-alive sockets go idle as their last response ends; close each as soon as it does.
      current.closeIdleConnections();
      const sweep = setInterval(() => current.closeIdleConnections(), 25);
      const timer = setTimeout(() => current.closeAllConnections(), drainTimeoutMs);
      try {
        await closed;
      } finally {
        clearInterval(sweep);
        clearTimeout(timer);
      }
    },
  };
}
