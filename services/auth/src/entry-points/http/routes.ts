import { AppError } from '@micromesh/kit';
import type { ErrorRequestHandler, Express } from 'express';
import { isDatabaseUnavailable } from '../../data-access/database-errors';
import type { ApiKeys } from '../../domain/api-keys';
import type { LoginDeps } from '../../domain/login';
import type { Authenticator } from '../../domain/principal';
import type { TokenService } from '../../domain/token-service';
import type { UsersRepository } from '../../data-access/users-repository';
import type { Users } from '../../domain/users';
import { mountAuthenticateRoute } from './authenticate-route';
import { mountJwksRoute } from './jwks-route';
import { keysRouter, mountIntrospectRoute } from './keys-routes';
import { mountRevocationsRoute, sessionRouter } from './session-routes';
import { usersRouter } from './users-routes';

export interface RouteDeps {
  login: LoginDeps;
  tokens: TokenService;
  users: Users;
  apiKeys: ApiKeys;
  authenticator: Authenticator;
  usersRepo: UsersRepository;
  /** How far back /internal/revocations reaches: the longest a token lives, plus clock skew. */
  revocationWindowSeconds: number;
}

export function mountRoutes(app: Express, deps: RouteDeps): void {
  mountAuthenticateRoute(app, deps.login);
  mountJwksRoute(app, deps.tokens);
  mountIntrospectRoute(app, deps.apiKeys);
  mountRevocationsRoute(app, deps.usersRepo, deps.revocationWindowSeconds);
  app.use('/api/auth', sessionRouter(deps.users, deps.authenticator));
  app.use('/api/users', usersRouter(deps.users, deps.authenticator));
  app.use('/api/keys', keysRouter(deps.apiKeys, deps.authenticator));
  app.use(databaseUnavailableAs503);
}

/** A PostgreSQL outage is the service's condition, not a bug: 503 for callers to retry later. */
const databaseUnavailableAs503: ErrorRequestHandler = (err, _req, _res, next) => {
  next(isDatabaseUnavailable(err) ? AppError.unavailable('database unavailable', err) : err);
};
