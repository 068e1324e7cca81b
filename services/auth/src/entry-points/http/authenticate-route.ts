import { clientAddressKey, ok } from '@micromesh/kit';
import type { Express } from 'express';
import { login, type LoginDeps } from '../../domain/login';

/** `POST /authenticate` — the reference login, answered 202 like the original auth service. */
export function mountAuthenticateRoute(app: Express, deps: LoginDeps): void {
  app.post('/authenticate', async (req, res) => {
    const result = await login(deps, req.body, clientAddressKey(req.ip));
    // A bearer token must not be kept by any cache between here and the client (RFC 6749 §5.1).
    res.set('cache-control', 'no-store').set('pragma', 'no-cache');
    res.status(202).json(ok(`Logged in user ${result.user.email}`, result));
  });
}
