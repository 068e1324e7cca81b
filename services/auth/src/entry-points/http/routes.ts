import type { Express } from 'express';
import type { ApiKeys } from '../../domain/api-keys';
import type { LoginDeps } from '../../domain/login';
import type { Authenticator } from '../../domain/principal';
import type { TokenService } from '../../domain/token-service';
import type { Users } from '../../domain/users';
import { mountAuthenticateRoute } from './authenticate-route';
import { mountJwksRoute } from './jwks-route';
import { keysRouter, mountIntrospectRoute } from './keys-routes';
import { usersRouter } from './users-routes';

export interface RouteDeps {
  login: LoginDeps;
  tokens: TokenService;
  users: Users;
  apiKeys: ApiKeys;
  authenticator: Authenticator;
}

export function mountRoutes(app: Express, deps: RouteDeps): void {
  mountAuthenticateRoute(app, deps.login);
  mountJwksRoute(app, deps.tokens);
  mountIntrospectRoute(app, deps.apiKeys);
  app.use('/api/users', usersRouter(deps.users, deps.authenticator));
  app.use('/api/keys', keysRouter(deps.apiKeys, deps.authenticator));
}
