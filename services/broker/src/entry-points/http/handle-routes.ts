import { AppError, clientAddressKey, parseInput } from '@micromesh/kit';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import {
  authPayloadSchema,
  eventPayloadSchema,
  isKnownAction,
  logPayloadSchema,
  mailPayloadSchema,
  type ActionName,
} from '../../domain/action-schemas';
import type { ActionOutcome, BrokerActions } from '../../domain/broker-actions';
import { ACTION_ACCESS, enforce } from '../../edge/access-rules';
import { authenticateAndLimit, type EdgeAuth } from '../../edge/authenticate';
import type { RateLimit } from '../../edge/rate-limits';

export interface HandleRouteDeps {
  actions: BrokerActions;
  edge: EdgeAuth;
  /** Per authenticated client (API key or user). */
  clientLimit: RateLimit;
  /** Per IP, for the public, password-guessing-prone `auth` action. */
  authLimit: RateLimit;
}

const bodySchema = z.object({ action: z.string().max(64) }, 'expected a JSON object');
const idempotencyKeySchema = z.string().min(1).max(200).optional();

/** Each action's payload sits under the action's own name, as in the reference front-end. */
const payloadSchemas = {
  auth: z.object({ auth: authPayloadSchema }),
  log: z.object({ log: logPayloadSchema }),
  event: z.object({ event: eventPayloadSchema }),
  mail: z.object({ mail: mailPayloadSchema }),
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
    await deps.authLimit.consume(`ip:${clientAddressKey(ip)}`, res);
    const { auth } = parseInput(payloadSchemas.auth, req.body);
    // The answer holds a bearer token: no cache on the way may keep it.
    res.set('cache-control', 'no-store').set('pragma', 'no-cache');
    return deps.actions.auth(auth, ip);
  }
  res.locals.principal = await authenticateAndLimit(deps.edge, deps.clientLimit, req, res);
  enforce(ACTION_ACCESS[action], res);
  switch (action) {
    case 'log':
      return deps.actions.log(parseInput(payloadSchemas.log, req.body).log);
    case 'event':
      return deps.actions.event(parseInput(payloadSchemas.event, req.body).event);
    case 'mail': {
      const { mail } = parseInput(payloadSchemas.mail, req.body);
      const key = parseInput(idempotencyKeySchema, req.get('idempotency-key'));
      return deps.actions.mail(mail, key);
    }
  }
}

function send(res: Response, outcome: ActionOutcome): void {
  res.status(outcome.status).json(outcome.body);
}
