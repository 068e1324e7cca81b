import type { Envelope } from '@micromesh/kit';
import type { MailPayload } from '../domain/action-schemas';
import type { Downstream } from './downstream';
import { callJson, relayClientError } from './http-json';

/** The mail service, over HTTP. Its 202 and 4xx answers are relayed. */
export class MailClient {
  constructor(
    private readonly baseUrl: string,
    private readonly downstream: Downstream,
    private readonly timeoutMs: number,
  ) {}

  async send(mail: MailPayload, idempotencyKey?: string): Promise<Envelope> {
    return this.downstream.call(
      async (signal) => {
        const reply = await callJson(`${this.baseUrl}/send`, {
          method: 'POST',
          body: mail,
          headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
          signal,
        });
        if (reply.status >= 400) throw relayClientError(reply);
        return reply.body;
      },
      { timeoutMs: this.timeoutMs },
    );
  }
}
