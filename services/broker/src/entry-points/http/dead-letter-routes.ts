import { ok, parseInput } from '@micromesh/kit';
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import type { DeadLetterAdmin } from '../../domain/dead-letters';

export interface DeadLetterRouteDeps {
  admin: DeadLetterAdmin;
  /** Authentication, rate limit and the admin check, in order. */
  guard: RequestHandler[];
}

const MAX_LIMIT = 500;
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(50),
});
export const idSchema = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'a dead letter id') });

/** The admin's view of the dead-letter queue: list, replay, discard. */
export function mountDeadLetterRoutes(app: Express, deps: DeadLetterRouteDeps): void {
  app.get('/api/dead-letters', ...deps.guard, async (req, res) => {
    const { limit } = parseInput(listQuerySchema, req.query);
    const page = await deps.admin.list(limit);
    res.json(ok(`${page.count} dead letters`, page));
  });

  app.post('/api/dead-letters/:id/replay', ...deps.guard, async (req, res) => {
    const { id } = parseInput(idSchema, req.params);
    await deps.admin.replay(id);
    res.json(ok('dead letter replayed to logs_topic', { id }));
  });

  app.delete('/api/dead-letters/:id', ...deps.guard, async (req, res) => {
    const { id } = parseInput(idSchema, req.params);
    await deps.admin.discard(id);
    res.json(ok('dead letter discarded', { id }));
  });
}
