import { AppError, ok, parseInput } from '@micromesh/kit';
import type { Express } from 'express';
import { z } from 'zod';
import { publicView, type StoredMessage } from '../../domain/message';
import { PRINCIPAL_HEADER, principalSchema } from '../../domain/principal';

export interface MessageStatusDeps {
  findById: (id: string) => Promise<StoredMessage | undefined>;
}

const idSchema = z.uuid('must be a message id (UUID)');

/**
 * `GET /messages/:id`: the delivery state of one message, without its content. With
 * `X-Principal` (as the broker calls it) only that principal's own messages are found.
 */
export function mountMessageStatusRoute(app: Express, deps: MessageStatusDeps): void {
  app.get('/messages/:id', async (req, res) => {
    const id = parseInput(idSchema, req.params.id, 'invalid message id');
    const rawPrincipal = req.get(PRINCIPAL_HEADER);
    const principal =
      rawPrincipal === undefined
        ? undefined
        : parseInput(principalSchema, rawPrincipal, 'invalid X-Principal header');
    let message: StoredMessage | undefined;
    try {
      message = await deps.findById(id);
    } catch (err) {
      throw AppError.unavailable('mail storage is unavailable', err);
    }
    // Someone else's message is answered exactly like a missing one.
    if (!message || (principal !== undefined && message.principal !== principal)) {
      throw AppError.notFound('no message with this id');
    }
    res.json(ok(`message is ${publicView(message).status}`, publicView(message)));
  });
}
