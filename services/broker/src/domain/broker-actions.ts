import { randomUUID } from 'node:crypto';
import { createEvent, routingKeyFor } from '@micromesh/contracts';
import { currentTraceIds, ok, type Envelope } from '@micromesh/kit';
import type { AuthPayload, EventPayload, LogPayload, MailPayload } from './action-schemas';
import type { BrokerPorts } from './ports';
import type { Principal } from './principal';

export interface ActionOutcome {
  status: number;
  body: Envelope;
}

/** The name events and log entries from this gateway carry as their producing service. */
export const SERVICE_NAME = 'broker';

/**
 * The use cases behind POST /handle, free of HTTP: each takes a validated payload and answers the
 * status and envelope to send. Failures are AppErrors thrown by the ports (401, 4xx relays, 503).
 */
export class BrokerActions {
  constructor(private readonly ports: BrokerPorts) {}

  async auth(credentials: AuthPayload, clientIp: string): Promise<ActionOutcome> {
    return { status: 202, body: await this.ports.authenticate(credentials, clientIp) };
  }

  async log(entry: LogPayload): Promise<ActionOutcome> {
    const eventId = randomUUID();
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
  }

  /** 202 only once RabbitMQ has confirmed the message; any publish failure surfaces as a 503. */
  async event(payload: EventPayload): Promise<ActionOutcome> {
    const event = createEvent({
      name: payload.name,
      data: payload.data,
      level: payload.level,
      service: SERVICE_NAME,
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
  }

  /** 202 once mail has durably queued the message (it never waits for SMTP); poll mailStatus. */
  async mail(
    mail: MailPayload,
    principal: Principal,
    idempotencyKey?: string,
  ): Promise<ActionOutcome> {
    return {
      status: 202,
      body: await this.ports.sendMail(mail, principal.clientKey, idempotencyKey),
    };
  }

  async mailStatus(id: string, principal: Principal): Promise<ActionOutcome> {
    return { status: 200, body: await this.ports.mailStatus(id, principal.clientKey) };
  }
}
