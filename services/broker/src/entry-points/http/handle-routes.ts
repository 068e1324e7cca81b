import {
  ACTION_ACCESS,
  IDEMPOTENCY_KEY_HEADER,
  INVALID_IDEMPOTENCY_KEY,
  idempotencyKeyHeaderSchema,
} from '@micromesh/contracts';
import { AppError, clientAddressKey, parseInput, sendJson } from '@micromesh/kit';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import {
  authPayloadSchema,
  eventPayloadSchema,
  isKnownAction,
  logPayloadSchema,
  type ActionName,
} from '../../domain/action-schemas';
import { checkAccess } from '../../domain/access-rules';
import type { ActionOutcome, BrokerActions } from '../../domain/broker-actions';
import type { IdempotentRequest } from '../../domain/idempotency';
import type { MailActionSchema } from '../../domain/mail-action-schema';
import type { Principal } from '../../domain/principal';
import { authenticateAndLimit, type EdgeAuth } from './authenticate';
import type { RateLimit } from './rate-limits';

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

/**
 * The body's `action`. The payload's own schema validates the body next, so a well-formed body
 * is only looked at here; anything else goes through `bodySchema` for its 400 and details.
 */
function actionOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const { action } = body as { action?: unknown };
    if (typeof action === 'string' && action.length <= 64) return action;
  }
  return parseInput(bodySchema, body).action;
}

/** Each action's payload sits under the action's own name, as in the reference front-end. */
export const payloadSchemas = {
  auth: z.object({ auth: authPayloadSchema }),
  log: z.object({ log: logPayloadSchema }),
  event: z.object({ event: eventPayloadSchema }),
};

/** POST /handle (the reference front-end's single entry), POST /log-grpc (its alias for `log`). */
export function mountHandleRoutes(app: Express, deps: HandleRouteDeps): void {
  app.post('/handle', async (req, res) => {
    const action = actionOf(req.body);
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
  const principal = await authenticateAndLimit(deps.edge, deps.clientLimit, req, res);
  res.locals.principal = principal;
  checkAccess(ACTION_ACCESS[action], principal);
  switch (action) {
    case 'log': {
      const { log } = parseInput(payloadSchemas.log, req.body);
      return deps.actions.log(log, retryOf(req, principal));
    }
    case 'event': {
      const { event } = parseInput(payloadSchemas.event, req.body);
      return deps.actions.event(event, retryOf(req, principal));
    }
    case 'mail': {
      const { mail } = parseInput(deps.mailAction, req.body);
      return deps.actions.mail(mail, principal, idempotencyKeyOf(req));
    }
  }
}

/** The request's Idempotency-Key (400 when malformed); undefined without the header. */
function idempotencyKeyOf(req: Request): string | undefined {
  // Most requests carry none: no schema to run for them.
  if (req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()] === undefined) return undefined;
  return parseInput(
    idempotencyKeyHeaderSchema,
    { [IDEMPOTENCY_KEY_HEADER]: req.get(IDEMPOTENCY_KEY_HEADER) },
    INVALID_IDEMPOTENCY_KEY,
  )[IDEMPOTENCY_KEY_HEADER];
}

/** The request's Idempotency-Key, scoped to the caller; undefined without the header. */
function retryOf(req: Request, principal: Principal): IdempotentRequest | undefined {
  const key = idempotencyKeyOf(req);
  return key === undefined ? undefined : { principal: principal.clientKey, key };
}

function send(res: Response, outcome: ActionOutcome): void {
  if (outcome.replayed) res.set('idempotent-replayed', 'true');
  sendJson(res, outcome.status, outcome.body);
}
