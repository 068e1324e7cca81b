import type { Envelope, EventLevel, LogEvent } from '@micromesh/kit';
import type { AuthPayload, MailPayload } from './action-schemas';

/** One log entry as the logger's WriteLogs receives it (metadata as JSON text, per the proto). */
export interface LogRecord {
  name: string;
  data: string;
  level: EventLevel;
  service: string;
  event_id: string;
  /** The trace and span the broker handled the request in (W3C hex), when it is traced. */
  trace_id?: string;
  span_id?: string;
  metadata: string;
  timestamp: string;
}

/** What the broker's use cases need from the outside; the adapters live in downstream/. */
export interface BrokerPorts {
  authenticate(credentials: AuthPayload, clientIp: string): Promise<Envelope>;
  writeLog(record: LogRecord): Promise<void>;
  publishEvent(event: LogEvent): Promise<void>;
  sendMail(mail: MailPayload, idempotencyKey?: string): Promise<Envelope>;
}
