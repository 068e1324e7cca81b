import { AppError, parseInput } from '@micromesh/kit';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import {
  authPayloadSchema,
  eventPayloadSchema,
  isKnownAction,
  logPayloadSchema,
  type ActionName,
} from '../../domain/action-schemas';
import type { ActionOutcome, BrokerActions } from '../../domain/broker-actions';
import type { MailActionSchema } from '../../domain/mail-action-schema';
import { idempotencyKeySchema as mailIdempotencyKeySchema } from '../../downstream/mail-client';
import { authenticateAndLimit, type EdgeAuth } from '../../edge/authenticate';
import type { RateLimit } from '../../edge/rate-limits';

export interface HandleRouteDeps {
  actions: BrokerActions;
  edge: EdgeAuth;
  /** Per authenticated client (API key or user). */
  clientLimit: RateLimit;
  /** Per IP, for the public, password-guessing-prone `auth` action. */
  authLimit: RateLimit;
  /** The mail action's body, with the configured senders. */
  mailAction: MailActionSchema;
}

const bodySchema = z.object({ action: z.string().max(64) }, 'expected a JSON object');

/** Each action's payload sits under the action's own name, as in the reference front-end. */
const payloadSchemas = {
  auth: z.object({ auth: authPayloadSchema }),
  log: z.object({ log: logPayloadSchema }),
  event: z.object({ event: eventPayloadSchema }),
};

/** POST /handle (the reference front-end's single entry), POST /log-grpc (its alias for `log`). */
export function mountHandleRoutes(app: Express, deps: HandleRouteDeps): void {
  app.post('/handle', async (req, res) => {
    const { action } = parseInput(bodySchema, req.body);
    if (!isKnownAction(action)) throw AppError.badRequest('unknown action');
    send(res, await run(deps, action, req, res));
  });

  app.post('/log-grpc', async (req, res) => {
    send(res, await run(deps, 'log', req, res));
  });
}

async function run(
  deps: HandleRouteDeps,
  action: ActionName,
  req: Request,
  res: Response,
): Promise<ActionOutcome> {
  if (action === 'auth') {
    // Limited before any work, so guessing passwords costs the guesser, not bcrypt.
    const ip = req.ip ?? 'unknown';
    await deps.authLimit.consume(`ip:${ip}`, res);
    const { auth } = parseInput(payloadSchemas.auth, req.body);
    return deps.actions.auth(auth, ip);
  }
  const principal = await authenticateAndLimit(deps.edge, deps.clientLimit, req, res);
  switch (action) {
    case 'log':
      return deps.actions.log(parseInput(payloadSchemas.log, req.body).log);
    case 'event':
      return deps.actions.event(parseInput(payloadSchemas.event, req.body).event);
    case 'mail': {
      const { mail } = parseInput(deps.mailAction, req.body);
      const rawKey = req.get('idempotency-key');
      const key =
        rawKey === undefined
          ? undefined
          : parseInput(mailIdempotencyKeySchema, rawKey, 'invalid Idempotency-Key header');
      return deps.actions.mail(mail, principal, key);
    }
  }
}

function send(res: Response, outcome: ActionOutcome): void {
  res.status(outcome.status).json(outcome.body);
}
