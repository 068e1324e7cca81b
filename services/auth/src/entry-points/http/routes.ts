import { AppError, isPgUnavailable } from '@micromesh/kit';
import type { ErrorRequestHandler, Express } from 'express';
import type { ApiKeys } from '../../domain/api-keys';
import type { Authenticator } from '../../domain/authenticator';
import type { LoginDeps } from '../../domain/login';
import type { RevocationLog, Tokens } from '../../domain/ports';
import type { Users } from '../../domain/users';
import { mountAuthenticateRoute } from './authenticate-route';
import { mountJwksRoute } from './jwks-route';
import { keysRouter, mountIntrospectRoute } from './keys-routes';
import { mountRevocationsRoute, sessionRouter } from './session-routes';
import { usersRouter } from './users-routes';

export interface RouteDeps {
  login: LoginDeps;
  tokens: Tokens;
  users: Users;
  apiKeys: ApiKeys;
  authenticator: Authenticator;
  revocationLog: RevocationLog;
  /** How far back /internal/revocations reaches: the longest a token lives, plus clock skew. */
  revocationWindowSeconds: number;
}

export function mountRoutes(app: Express, deps: RouteDeps): void {
  mountAuthenticateRoute(app, deps.login);
  mountJwksRoute(app, deps.tokens);
  mountIntrospectRoute(app, deps.apiKeys);
  mountRevocationsRoute(app, deps.revocationLog, deps.revocationWindowSeconds);
  app.use('/api/auth', sessionRouter(deps.users, deps.authenticator));
  app.use('/api/users', usersRouter(deps.users, deps.authenticator));
  app.use('/api/keys', keysRouter(deps.apiKeys, deps.authenticator));
  app.use(databaseUnavailableAs503);
}

/**
 * A PostgreSQL outage — or any failure of the store rather than the request (disk full, read-only
 * after a failover, a statement past its timeout: the kit's isPgUnavailable) — is the service's
 * condition, not a bug: 503 for callers to retry later.
 */
const databaseUnavailableAs503: ErrorRequestHandler = (err, _req, _res, next) => {
  next(isPgUnavailable(err) ? AppError.unavailable('database unavailable', err) : err);
};
