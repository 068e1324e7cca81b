import type { Level, LogEvent } from '@micromesh/contracts';
import type { Envelope } from '@micromesh/kit';
import type { AuthPayload, MailPayload } from './action-schemas';

/** One log entry as the broker hands it to the logger: the contract's fields, defaults filled. */
export interface LogWrite {
  name: string;
  data: string;
  level: Level;
  service: string;
  event_id: string;
  /** The trace and span the broker handled the request in (W3C hex), when it has one. */
  trace_id?: string;
  span_id?: string;
  metadata?: Record<string, unknown>;
  timestamp: string;
}

/** What the broker's use cases need from the outside; the adapters live in downstream/. */
export interface BrokerPorts {
  authenticate(credentials: AuthPayload, clientIp: string): Promise<Envelope>;
  /** Resolves once stored (or found stored); a refused entry rejects a 400 AppError. */
  writeLog(entry: LogWrite): Promise<void>;
  publishEvent(event: LogEvent): Promise<void>;
  /** `principal` is the caller's clientKey: the scope of its idempotency keys and quota. */
  sendMail(mail: MailPayload, principal: string, idempotencyKey?: string): Promise<Envelope>;
  /** One of the principal's own messages, or 404. */
  mailStatus(id: string, principal: string): Promise<Envelope>;
}
