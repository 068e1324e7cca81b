import type { Options } from 'amqplib';
import { routingKeyFor, traceparentFor, type LogEvent } from '@micromesh/contracts';
import { currentRequestId, REQUEST_ID_HEADER } from '../logging/request-context';

export interface EventMessage {
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
}

/**
 * The AMQP form of an event (DESIGN.md "Event contract"): JSON body, persistent,
 * `message_id = event_id`, W3C `traceparent` and the current request id as headers.
 */
export function eventMessage(event: LogEvent): EventMessage {
  const headers: Record<string, string> = {};
  const traceparent = traceparentFor(event);
  if (traceparent) headers.traceparent = traceparent;
  const requestId = currentRequestId();
  if (requestId) headers[REQUEST_ID_HEADER] = requestId;
  const millis = Date.parse(event.timestamp);
  return {
    routingKey: routingKeyFor(event.level),
    body: Buffer.from(JSON.stringify(event)),
    options: {
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      messageId: event.event_id,
      // AMQP timestamps are whole seconds; the body keeps the precise time.
      timestamp: Math.floor((Number.isNaN(millis) ? Date.now() : millis) / 1000),
      // A short string in AMQP (≤ 255 bytes); an oversized one would fail the whole frame.
      ...(Buffer.byteLength(event.service) <= 255 ? { appId: event.service } : {}),
      headers,
    },
  };
}
