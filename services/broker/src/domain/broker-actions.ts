import { randomUUID } from 'node:crypto';
import { createEvent, routingKeyFor } from '@micromesh/contracts';
import { AppError, currentTraceIds, ok, type Envelope } from '@micromesh/kit';
import type { AuthPayload, EventPayload, LogPayload, MailPayload } from './action-schemas';
import {
  idempotentEventId,
  requestHash,
  withoutDefaultLevel,
  type IdempotentRequest,
} from './idempotency';
import type { OverloadHold } from './overload-hold';
import type { BrokerPorts, IdempotencyRecords } from './ports';
import type { Principal } from './principal';

export interface ActionOutcome {
  status: number;
  body: Envelope;
  /** True when this is the stored answer of an earlier request with the same Idempotency-Key. */
  replayed?: boolean;
}

/** The name events and log entries from this gateway carry as their producing service. */
export const SERVICE_NAME = 'broker';

/**
 * The use cases behind POST /handle, free of HTTP: each takes a validated payload and answers the
 * status and envelope to send. Failures are AppErrors thrown by the ports (401, 4xx relays, 503).
 */
export class BrokerActions {
  constructor(
    private readonly ports: BrokerPorts,
    private readonly idempotency: IdempotencyRecords,
    /** Auth's "at capacity" answers, held briefly so a login flood is not relayed one by one. */
    private readonly authOverload?: OverloadHold,
  ) {}

  async auth(credentials: AuthPayload, clientIp: string): Promise<ActionOutcome> {
    await this.authOverload?.check();
    try {
      return { status: 202, body: await this.ports.authenticate(credentials, clientIp) };
    } catch (err) {
      this.authOverload?.observe(err);
      throw err;
    }
  }

  async log(entry: LogPayload, retry?: IdempotentRequest): Promise<ActionOutcome> {
    return this.once('log', withoutDefaultLevel(entry), retry, async (eventId) => {
      await this.ports.writeLog({
        name: entry.name,
        data: entry.data,
        level: entry.level ?? 'INFO',
        service: SERVICE_NAME,
        event_id: eventId,
        // The stored entry names the trace of the request that wrote it.
        ...currentTraceIds(),
        ...(entry.metadata ? { metadata: entry.metadata } : {}),
        timestamp: new Date().toISOString(),
      });
      return { status: 202, body: ok(`logged ${entry.name}`, { event_id: eventId }) };
    });
  }

  /** 202 only once RabbitMQ has confirmed the message; any publish failure surfaces as a 503. */
  async event(payload: EventPayload, retry?: IdempotentRequest): Promise<ActionOutcome> {
    return this.once('event', withoutDefaultLevel(payload), retry, async (eventId) => {
      const event = createEvent({
        name: payload.name,
        data: payload.data,
        level: payload.level,
        service: SERVICE_NAME,
        event_id: eventId,
        ...currentTraceIds(),
      });
      await this.ports.publishEvent(event);
      return {
        status: 202,
        body: ok(`event ${payload.name} published`, {
          event_id: event.event_id,
          routing_key: routingKeyFor(event.level),
        }),
      };
    });
  }

  /** 202 once mail has durably queued the message (it never waits for SMTP); poll mailStatus. */
  async mail(
    mail: MailPayload,
    principal: Principal,
    idempotencyKey?: string,
  ): Promise<ActionOutcome> {
    return {
      status: 202,
      body: await this.ports.sendMail(
        mail,
        { principal: principal.clientKey, quotaOwner: principal.owner },
        idempotencyKey,
      ),
    };
  }

  async mailStatus(id: string, principal: Principal): Promise<ActionOutcome> {
    return { status: 200, body: await this.ports.mailStatus(id, principal.clientKey) };
  }

  /**
   * Runs an action at most once per (principal, Idempotency-Key) as far as the caller can tell,
   * for as long as the key lives (IDEMPOTENCY_TTL_HOURS): the same key and payload answer what the
   * first request answered, with the same event_id — kept with the key when it was claimed, so
   * even a repeat that runs the action again (the first never completed, or is still running)
   * stores one record downstream; the key with another payload is a 422. An expired key is free
   * again: its next request is a new one, under a new event_id, so it is stored even though the
   * logger still holds the record of the key's earlier request. Without a key, every request is
   * new.
   */
  private async once(
    action: 'log' | 'event',
    payload: unknown,
    retry: IdempotentRequest | undefined,
    perform: (eventId: string) => Promise<ActionOutcome>,
  ): Promise<ActionOutcome> {
    if (!retry) return perform(randomUUID());
    const proposed = randomUUID();
    const claim = await this.idempotency.claim(retry, requestHash(action, payload), proposed);
    if (claim.kind === 'conflict') {
      throw new AppError(422, 'idempotency key reused with a different request', {
        details: [{ path: 'Idempotency-Key', message: 'already used with another request body' }],
      });
    }
    if (claim.kind === 'repeat' && claim.answer) return { ...claim.answer, replayed: true };
    const kept = claim.kind === 'first' ? proposed : claim.eventId;
    const outcome = await perform(kept ?? idempotentEventId(retry, action));
    await this.idempotency.complete(retry, kept, { status: outcome.status, body: outcome.body });
    return outcome;
  }
}
