import { ok } from '@micromesh/kit';
import { Router, type Express } from 'express';
import type { Authenticator } from '../../domain/authenticator';
import type { RevocationLog } from '../../domain/ports';
import { recentRevocations } from '../../domain/revocations';
import type { Users } from '../../domain/users';
import { principalOf, requirePrincipal } from './principal-middleware';

/** `POST /api/auth/logout`: revokes every token of the caller (all sessions, every broker). */
export function sessionRouter(users: Users, authenticator: Authenticator): Router {
  const router = Router();
  router.use(requirePrincipal(authenticator));
  router.post('/logout', async (_req, res) => {
    await users.logout(principalOf(res));
    res.set('cache-control', 'no-store').json(ok('logged out: every token of yours is revoked'));
  });
  return router;
}

/**
 * `GET /internal/revocations[?after=<cursor>]` for the brokers' catch-up: every revocation young
 * enough to concern a token that has not expired yet (or only those newer than the cursor), with
 * the recently revoked API keys.
 */
export function mountRevocationsRoute(
  app: Express,
  log: RevocationLog,
  windowSeconds: number,
): void {
  app.get('/internal/revocations', async (req, res) => {
    const recent = await recentRevocations(log, windowSeconds, req.query);
    res.set('cache-control', 'no-store');
    res.json(ok('revocations', recent));
  });
}
