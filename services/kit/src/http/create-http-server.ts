import { once } from 'node:events';
import type { Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { HelmetOptions } from 'helmet';
import type { Logger } from 'pino';
import { errorHandler, notFoundHandler } from '../errors/error-handler';
import type { Health } from '../health/health';
import type { Metrics } from '../metrics/metrics';
import { ok } from './envelope';
import { requestLifecycle } from './request-lifecycle';
import { jsonBody } from './json-body';
import { securityHeaders } from './security-headers';
import { httpsServerOptions } from '../tls/tls-options';
import { requirePeer, type AllowedCallers } from '../tls/require-peer';
import type { TlsMaterial } from '../tls/tls-material';

export interface HttpServerOptions {
  logger: Logger;
  health: Health;
  metrics: Metrics;
  /** Mounts the service's own routes; runs after the common middleware, before the 404. */
  routes: (app: Express) => void;
  /** Largest JSON body accepted: bytes, or with a unit (`100kb`, `1mb`). */
  bodyLimit?: string;
  /** Express `trust proxy`: hop count, subnet list or false. Never `true`. */
  trustProxy?: number | string | false;
  helmet?: HelmetOptions;
  /** Runs before the JSON parser (e.g. CORS, static files). */
  beforeBody?: (app: Express) => void;
  /** How long stop() lets in-flight requests finish before cutting connections. */
  drainTimeoutMs?: number;
  /**
   * Serve HTTPS with this identity, asking callers for a client certificate (mutual TLS); routes
   * check the caller with `requirePeer`. /livez and /readyz answer without one (probes).
   */
  tls?: TlsMaterial;
  /**
   * The service identities (client certificate CNs) allowed to call this server's own routes,
   * fixed or per request; checked before the body is read. Health and metrics are exempt. Only
   * enforced on a TLS server (see `requirePeer`).
   */
  callers?: AllowedCallers;
  /** false: `/metrics` is not served here (it has its own internal port). Default true. */
  serveMetrics?: boolean;
  /**
   * Express matches paths loosely by default: `/Logs/STREAM/` reaches a `/logs/stream` route.
   * `caseSensitive` and `strict` (a trailing slash is another path) make a route match its one
   * spelling, so a guard that compares paths and the router that serves them cannot disagree.
   */
  routing?: { caseSensitive?: boolean; strict?: boolean };
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

/** The express app every service shares: ids, logs, helmet, metrics, health, envelope errors. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { logger, health, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  // JSON API answers are not cached; hashing every body for a weak ETag is pure cost.
  app.set('etag', false);
  app.set('trust proxy', options.trustProxy ?? false);
  // Before the first route: the app's router takes these when it is created.
  app.set('case sensitive routing', options.routing?.caseSensitive ?? false);
  app.set('strict routing', options.routing?.strict ?? false);

  app.use(requestLifecycle(logger, metrics));
  app.use(securityHeaders(options.helmet));

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
  if (options.serveMetrics !== false) {
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }

  if (options.callers) app.use(requirePeer(options.callers));
  options.beforeBody?.(app);
  app.use(jsonBody(options.bodyLimit ?? '100kb'));
  options.routes(app);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));

  let server: Server | undefined;
  const drainTimeoutMs = options.drainTimeoutMs ?? 5_000;

  return {
    app,
    async start(port, host = '127.0.0.1') {
      const tls = options.tls;
      const listening: Server = tls
        ? https.createServer(httpsServerOptions(tls), app).listen(port, host)
        : app.listen(port, host);
      server = listening;
      if (tls) {
        // Renewed certificate files: served from the next handshake on, no restart.
        const stopFollowing = [
          tls.rotation.onChange(() => {
            (listening as https.Server).setSecureContext(httpsServerOptions(tls));
            logger.info(
              { identity: tls.identity },
              'TLS certificate files renewed: now serving them',
            );
          }),
          tls.rotation.onRefused((reason) => {
            logger.warn(
              { reason },
              'TLS certificate files changed but were refused; keeping the previous ones',
            );
          }),
        ];
        listening.once('close', () => stopFollowing.forEach((stop) => stop()));
      }
      // Node's defaults (5 s keep-alive) are shorter than most proxies' idle timeouts; outlive them.
      listening.keepAliveTimeout = 65_000;
      listening.headersTimeout = 66_000;
      await once(listening, 'listening');
      const address = listening.address() as AddressInfo;
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      return {
        host: address.address,
        port: address.port,
        url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
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
