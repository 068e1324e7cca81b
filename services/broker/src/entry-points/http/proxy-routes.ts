import type https from 'node:https';
import type { Express, RequestHandler } from 'express';
import type { DownstreamCalls } from '../../domain/ports';
import { proxyTo, swapPrefix } from './proxy';
import type { StreamGuard } from './stream-guard';

export interface ProxiedService {
  downstream: DownstreamCalls;
  baseUrl: string;
}

export interface ProxyRouteDeps {
  logger: ProxiedService;
  auth: ProxiedService;
  /** Time allowed until a downstream's response headers arrive. */
  headersTimeoutMs: number;
  /** Presents the broker's certificate to https:// services (mutual TLS). */
  httpsAgent?: https.Agent;
  /** Authentication, the per-client limit and the access table, in order. */
  guard: RequestHandler[];
  /** Holds the live tail to its credential's lifetime and the per-client stream limit. */
  streams: StreamGuard;
}

/**
 * The APIs other services serve through the broker: logs and traces (the logger, reads only),
 * users, keys and logout (auth). Every proxied route is in the access table; anything else under
 * these prefixes is 404. What is forwarded is the matched row's one spelling (see `swapPrefix`),
 * and the live tail is the row `/api/logs/stream`, however the client spelled it.
 */
export function mountProxyRoutes(app: Express, deps: ProxyRouteDeps): void {
  const { logger, auth, headersTimeoutMs, httpsAgent, guard } = deps;
  app.use(
    '/api/logs',
    ...guard,
    deps.streams.middleware('/api/logs/stream'),
    proxyTo({
      downstream: logger.downstream,
      baseUrl: logger.baseUrl,
      rewrite: swapPrefix('/api/logs', '/logs'),
      headersTimeoutMs,
      methods: ['GET', 'HEAD'],
      httpsAgent,
    }),
  );
  // Guarded by the access table ahead of the routes other parts mount here (traces, dead
  // letters): whatever is served under these prefixes is behind traces:read / dlq:admin.
  app.use(['/api/traces', '/api/dead-letters'], ...guard);
  // Spans and their log lines, from the logger (traces:read, checked just above).
  app.use(
    '/api/traces',
    proxyTo({
      downstream: logger.downstream,
      baseUrl: logger.baseUrl,
      rewrite: swapPrefix('/api/traces', '/traces'),
      headersTimeoutMs,
      methods: ['GET', 'HEAD'],
      httpsAgent,
    }),
  );
  for (const resource of ['users', 'keys', 'auth']) {
    app.use(
      `/api/${resource}`,
      ...guard,
      proxyTo({
        downstream: auth.downstream,
        baseUrl: auth.baseUrl,
        rewrite: swapPrefix(`/api/${resource}`, `/api/${resource}`),
        headersTimeoutMs,
        httpsAgent,
      }),
    );
  }
}
