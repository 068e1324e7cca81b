import { ok } from '@micromesh/kit';
import { Router, type Express } from 'express';
import type { ApiKeys } from '../../domain/api-keys';
import type { Authenticator } from '../../domain/authenticator';
import { principalOf, requirePrincipal } from './principal-middleware';

/** `/api/keys…`: the caller's API keys (an admin's view covers everyone's). */
export function keysRouter(apiKeys: ApiKeys, authenticator: Authenticator): Router {
  const router = Router();
  router.use(requirePrincipal(authenticator));
  router.post('/', async (req, res) => {
    const created = await apiKeys.create(principalOf(res), req.body);
    res.set('cache-control', 'no-store');
    res.status(201).json(ok('api key created; it is shown only once', created));
  });
  router.get('/', async (req, res) => {
    res.json(ok('api keys', await apiKeys.list(principalOf(res), req.query)));
  });
  router.delete('/:id', async (req, res) => {
    const api_key = await apiKeys.revoke(principalOf(res), req.params.id);
    res.json(ok('api key revoked', { api_key }));
  });
  return router;
}

/**
 * `POST /internal/keys/introspect {key}` for the broker: always 200 for a well-formed request;
 * `data.active` says whether the key may be used.
 */
export function mountIntrospectRoute(app: Express, apiKeys: ApiKeys): void {
  app.post('/internal/keys/introspect', async (req, res) => {
    const result = await apiKeys.introspect(req.body);
    res.json(ok(result.active ? 'key is active' : 'key is not active', result));
  });
}
