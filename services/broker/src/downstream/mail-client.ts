import type { Envelope } from '@micromesh/kit';
import type { MailPayload } from '../domain/action-schemas';
import type { Downstream } from './downstream';
import { callJson, relayClientError } from './http-json';

/**
 * The mail service, over HTTP. Its 202 (sent, or durably queued while SMTP is down), 4xx and 502
 * (the mail server refused the message for good) answers are relayed.
 */
export class MailClient {
  constructor(
    private readonly baseUrl: string,
    private readonly downstream: Downstream,
    private readonly timeoutMs: number,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async send(mail: MailPayload, idempotencyKey?: string): Promise<Envelope> {
    return this.downstream.call(
      async (signal) => {
        const reply = await callJson(`${this.baseUrl}/send`, {
          method: 'POST',
          body: mail,
          headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
          signal,
          answers: [502],
          fetch: this.fetchFn,
        });
        if (reply.status >= 400) throw relayClientError(reply);
        return reply.body;
      },
      { timeoutMs: this.timeoutMs },
    );
  }
}
