import type { Express } from 'express';
import type { BrokerActions } from '../../domain/broker-actions';
import type { DeadLetterAdmin } from '../../domain/dead-letters';
import type { MailActionSchema } from '../../domain/mail-action-schema';
import { guardByTable } from './access-guard';
import { requireAuth, type EdgeAuth } from './authenticate';
import { corsAllowlist } from './cors';
import { mountDeadLetterRoutes } from './dead-letter-routes';
import { mountHandleRoutes } from './handle-routes';
import { mountHealthRoutes, type HealthRouteDeps } from './health-routes';
import { mountMailStatusRoute } from './mail-status-route';
import { mountProxyRoutes, type ProxyRouteDeps } from './proxy-routes';
import type { RateLimit } from './rate-limits';
import { mountRootRoutes } from './root-routes';
import { refuseUnsafePaths } from './safe-path';
import type { StreamGuard } from './stream-guard';

export interface BrokerRouteDeps {
  actions: BrokerActions;
  deadLetters: DeadLetterAdmin;
  edge: EdgeAuth;
  /** Per authenticated client (API key or user). */
  clientLimit: RateLimit;
  /** Per IP, for the public, password-guessing-prone `auth` action. */
  authLimit: RateLimit;
  streams: StreamGuard;
  /** The mail action's body, with the configured senders. */
  mailAction: MailActionSchema;
  health: Omit<HealthRouteDeps, 'guard'>;
  proxy: Omit<ProxyRouteDeps, 'guard' | 'streams'>;
}

/** Ahead of the body parser: paths a downstream would read differently are refused; CORS. */
export function mountBeforeBody(app: Express, corsOrigins: readonly string[]): void {
  app.use(refuseUnsafePaths());
  app.use(corsAllowlist(corsOrigins));
}

/** Every route of the broker, in the order they match. */
export function mountRoutes(app: Express, deps: BrokerRouteDeps): void {
  // Action answers are never cached; hashing every body for an ETag is wasted CPU per request.
  app.set('etag', false);
  const signedIn = [requireAuth(deps.edge, deps.clientLimit)];
  // Every guarded route is in the access table; anything else under these prefixes is 404.
  const guarded = [...signedIn, guardByTable()];

  mountRootRoutes(app);
  mountHandleRoutes(app, {
    actions: deps.actions,
    edge: deps.edge,
    clientLimit: deps.clientLimit,
    authLimit: deps.authLimit,
    mailAction: deps.mailAction,
  });
  mountMailStatusRoute(app, { actions: deps.actions, guard: guarded });
  mountHealthRoutes(app, { ...deps.health, guard: signedIn });
  mountDeadLetterRoutes(app, { admin: deps.deadLetters, guard: guarded });
  mountProxyRoutes(app, { ...deps.proxy, guard: guarded, streams: deps.streams });
}
