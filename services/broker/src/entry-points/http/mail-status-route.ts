import type { Express, RequestHandler } from 'express';
import type { BrokerActions } from '../../domain/broker-actions';
import { principalOf } from './authenticate';

export interface MailStatusRouteDeps {
  actions: BrokerActions;
  /** Authentication and the per-client limit. */
  guard: RequestHandler[];
}

/**
 * `GET /api/mail/:id`: the delivery state of a mail the caller sent (queued, sent, failed), as
 * the mail service reports it. Another principal's mail is answered 404, as a missing one.
 */
export function mountMailStatusRoute(app: Express, deps: MailStatusRouteDeps): void {
  app.get('/api/mail/:id', ...deps.guard, async (req, res) => {
    const { id } = req.params as { id: string };
    const outcome = await deps.actions.mailStatus(id, principalOf(res));
    res.status(outcome.status).json(outcome.body);
  });
}
