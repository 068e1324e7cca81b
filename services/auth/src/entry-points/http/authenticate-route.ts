import { ok } from '@micromesh/kit';
import type { Express } from 'express';
import { login, type LoginDeps } from '../../domain/login';

/** `POST /authenticate` — the reference login, answered 202 like the original auth service. */
export function mountAuthenticateRoute(app: Express, deps: LoginDeps): void {
  app.post('/authenticate', async (req, res) => {
    const result = await login(deps, req.body, req.ip ?? 'unknown');
    res.status(202).json(ok(`Logged in user ${result.user.email}`, result));
  });
}
