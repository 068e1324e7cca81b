import { ok, parseInput } from '@micromesh/kit';
import type { Express } from 'express';
import { IDEMPOTENCY_HEADER, idempotencyKeySchema } from '../../domain/idempotency';
import { publicView } from '../../domain/message';
import { resolveContent, sendRequestSchema, type MailContent } from '../../domain/send-request';
import type { SendResult } from '../../domain/send-mail';

export interface SendRouteDeps {
  defaultFrom: string;
  send: (content: MailContent, idempotencyKey: string | undefined) => Promise<SendResult>;
}

const MESSAGES = {
  sent: (to: string) => `sent to ${to}`,
  queued: (to: string) => `queued for ${to}; it will be retried until delivered`,
  failed: (to: string) => `the mail server refused the message for ${to}`,
};

/** `POST /send`: 202 when the mail left or is safely queued, 502 when SMTP refused it for good. */
export function mountSendRoute(app: Express, deps: SendRouteDeps): void {
  app.post('/send', async (req, res) => {
    const rawKey = req.get(IDEMPOTENCY_HEADER);
    const key =
      rawKey === undefined
        ? undefined
        : parseInput(idempotencyKeySchema, rawKey, 'invalid Idempotency-Key header');
    const request = parseInput(sendRequestSchema, req.body, 'invalid mail request');
    const { message, replayed } = await deps.send(resolveContent(request, deps.defaultFrom), key);
    const view = publicView(message);
    const to = message.content.to;
    if (replayed) res.set('idempotent-replayed', 'true');
    res.location(`/messages/${message.id}`);
    if (view.status === 'failed') {
      res.status(502).json({ error: true, message: MESSAGES.failed(to), data: view });
      return;
    }
    res.status(202).json(ok(MESSAGES[view.status](to), view));
  });
}
