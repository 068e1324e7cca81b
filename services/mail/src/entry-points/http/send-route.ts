import {
  IDEMPOTENCY_KEY_HEADER,
  INVALID_IDEMPOTENCY_KEY,
  idempotencyKeyHeaderSchema,
  mailRequestSchema,
} from '@micromesh/contracts';
import { ok, parseInput, type SenderPolicy } from '@micromesh/kit';
import type { Express } from 'express';
import type { AcceptRequest, AcceptResult } from '../../domain/accept-mail';
import { publicView } from '../../domain/message';
import { PRINCIPAL_HEADER, QUOTA_OWNER_HEADER, principalSchema } from '../../domain/principal';
import { resolveContent } from '../../domain/mail-content';

export interface SendRouteDeps {
  senders: SenderPolicy;
  accept: (request: AcceptRequest) => Promise<AcceptResult>;
}

const MESSAGES = {
  queued: (to: string) => `queued for ${to}; it will be delivered in the background`,
  sent: (to: string) => `sent to ${to}`,
  failed: (to: string) => `the mail server refused the message for ${to}`,
};

/**
 * `POST /send`: 202 once the message is durably queued (never waiting for SMTP); a replay of an
 * idempotency key answers the message's current state.
 */
export function mountSendRoute(app: Express, deps: SendRouteDeps): void {
  app.post('/send', async (req, res) => {
    const principal = parseInput(
      principalSchema,
      req.get(PRINCIPAL_HEADER),
      'invalid or missing X-Principal header (the calling principal, set by the broker)',
    );
    const owner = req.get(QUOTA_OWNER_HEADER);
    const quotaOwner =
      owner === undefined
        ? principal
        : parseInput(principalSchema, owner, 'invalid X-Quota-Owner header (set by the broker)');
    const key = parseInput(
      idempotencyKeyHeaderSchema,
      { [IDEMPOTENCY_KEY_HEADER]: req.get(IDEMPOTENCY_KEY_HEADER) },
      INVALID_IDEMPOTENCY_KEY,
    )[IDEMPOTENCY_KEY_HEADER];
    const request = parseInput(mailRequestSchema, req.body, 'invalid mail request');
    const content = resolveContent(request, deps.senders);
    // A caller that has gone (its client or the broker timed out and closed the connection) gets
    // nothing stored and sent after the fact: its 503 or timeout stays true.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new Error('the request closed before it was answered'));
    });
    const { message, replayed } = await deps.accept({
      principal,
      quotaOwner,
      idempotencyKey: key,
      content,
      signal: gone.signal,
    });
    const view = publicView(message);
    if (replayed) res.set('idempotent-replayed', 'true');
    res.location(`/messages/${message.id}`);
    res.status(202).json(ok(MESSAGES[view.status](message.content.to), view));
  });
}
