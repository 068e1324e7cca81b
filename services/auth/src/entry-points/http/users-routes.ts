import { ok } from '@micromesh/kit';
import { Router } from 'express';
import type { Authenticator } from '../../domain/authenticator';
import type { Users } from '../../domain/users';
import { principalOf, requirePrincipal } from './principal-middleware';

/** `/api/users…`: admin management of accounts; a user may read and edit itself. */
export function usersRouter(users: Users, authenticator: Authenticator): Router {
  const router = Router();
  router.use(requirePrincipal(authenticator));
  router.get('/', async (req, res) => {
    res.json(ok('users', await users.list(principalOf(res), req.query)));
  });
  router.post('/', async (req, res) => {
    const user = await users.create(principalOf(res), req.body);
    res.status(201).json(ok('user created', { user }));
  });
  router.get('/:id', async (req, res) => {
    res.json(ok('user', { user: await users.get(principalOf(res), req.params.id) }));
  });
  router.patch('/:id', async (req, res) => {
    const user = await users.update(principalOf(res), req.params.id, req.body);
    res.json(ok('user updated', { user }));
  });
  router.delete('/:id', async (req, res) => {
    await users.delete(principalOf(res), req.params.id);
    res.json(ok('user deleted', { id: req.params.id }));
  });
  return router;
}
