import { PRINCIPAL_HEADER, QUOTA_OWNER_HEADER } from '@micromesh/contracts';
import type { Envelope } from '@micromesh/kit';
import type { MailPayload } from '../domain/action-schemas';
import type { MailCaller } from '../domain/ports';
import type { Downstream } from './downstream';
import { callJson, relayClientError } from './http-json';

/**
 * The mail service, over HTTP. Every call names the principal (`X-Principal`: the caller's
 * clientKey), which scopes its idempotency keys and the messages it may read; a send also names
 * the quota owner (`X-Quota-Owner`: the owning user), so all of a user's sessions and API keys
 * share one mail quota. Mail's
 * 202 (durably queued) and its 4xx answers (400, 404, 422, 429 with Retry-After) are relayed.
 */
export class MailClient {
  constructor(
    private readonly baseUrl: string,
    private readonly downstream: Downstream,
    private readonly timeoutMs: number,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async send(mail: MailPayload, caller: MailCaller, idempotencyKey?: string): Promise<Envelope> {
    return this.downstream.call(
      async (signal) => {
        const reply = await callJson(`${this.baseUrl}/send`, {
          method: 'POST',
          body: mail,
          headers: {
            [PRINCIPAL_HEADER]: caller.principal,
            [QUOTA_OWNER_HEADER]: caller.quotaOwner,
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          signal,
          fetch: this.fetchFn,
        });
        if (reply.status >= 400) throw relayClientError(reply);
        return reply.body;
      },
      { timeoutMs: this.timeoutMs },
    );
  }

  /** The delivery state of one of the principal's messages; 404 for anyone else's. */
  async status(id: string, principal: string): Promise<Envelope> {
    return this.downstream.call(
      async (signal) => {
        const reply = await callJson(`${this.baseUrl}/messages/${encodeURIComponent(id)}`, {
          method: 'GET',
          headers: { [PRINCIPAL_HEADER]: principal },
          signal,
          fetch: this.fetchFn,
        });
        if (reply.status >= 400) throw relayClientError(reply);
        return reply.body;
      },
      { timeoutMs: this.timeoutMs },
    );
  }
}
