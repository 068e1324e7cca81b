import type { Level, LogEvent } from '@micromesh/contracts';
import type { Envelope } from '@micromesh/kit';
import type { AuthPayload, MailPayload } from './action-schemas';
import type { IdempotentRequest } from './idempotency';
import type { Principal } from './principal';

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

/** Who a mail is sent as. */
export interface MailCaller {
  /** The credential (clientKey): the scope of its idempotency keys and of the mail it may read. */
  principal: string;
  /** The credential's owning user (`user:<id>`): whose mail quota it spends. */
  quotaOwner: string;
}

/** What the broker's use cases need from the outside; the adapters live in adapters/. */
export interface BrokerPorts {
  authenticate(credentials: AuthPayload, clientIp: string): Promise<Envelope>;
  /** Resolves once stored (or found stored); a refused entry rejects a 400 AppError. */
  writeLog(entry: LogWrite): Promise<void>;
  publishEvent(event: LogEvent): Promise<void>;
  sendMail(mail: MailPayload, caller: MailCaller, idempotencyKey?: string): Promise<Envelope>;
  /** One of the principal's own messages, or 404. */
  mailStatus(id: string, principal: string): Promise<Envelope>;
}

/** The answer given the first time, given again to every repeat. */
export interface StoredAnswer {
  status: number;
  body: Envelope;
}

export type Claim =
  /** No live record: this request now owns the key, under the event id it proposed. */
  | { kind: 'first' }
  /**
   * The same request was seen: the event id its key names (null for a key claimed before ids were
   * kept with keys), and its answer when it completed, else none (in flight or failed).
   */
  | { kind: 'repeat'; eventId: string | null; answer?: StoredAnswer }
  /** The key was used for a different request. */
  | { kind: 'conflict' };

/**
 * Where (principal, key) → (request hash, event id, answer) records live; shared by every replica.
 * A key lives a fixed time; once expired, the next claim takes it afresh with a new event id.
 */
export interface IdempotencyRecords {
  /** `eventId` is kept with the key when this request takes it (a free or expired key). */
  claim(request: IdempotentRequest, requestHash: string, eventId: string): Promise<Claim>;
  /** Keeps the answer, only while the key still names `eventId` (not a later holder's claim). */
  complete(request: IdempotentRequest, eventId: string | null, answer: StoredAnswer): Promise<void>;
}

/** Access tokens, verified locally against auth's signing keys (adapters/token-verifier.ts). */
export interface TokenVerification {
  /** The token's principal; 401 when invalid or expired, 503 when auth's keys cannot be fetched. */
  verify(token: string): Promise<Principal>;
}

/** API keys, introspected by auth (adapters/api-key-verifier.ts). */
export interface ApiKeyVerification {
  /** The key's principal; 401 when unknown, revoked or inactive. */
  verify(key: string): Promise<Principal>;
  /** Drops what is remembered of a revoked key, or of every key of a user whose rights changed. */
  forget(match: { keyId?: string; userId?: string }): void;
}

export interface CallOptions {
  /** Deadline of one attempt. */
  timeoutMs: number;
  /** Errors worth one more attempt (only where a repeat is safe: gRPC UNAVAILABLE, idempotent reads). */
  retryWhen?: (err: Error) => boolean;
}

/**
 * One downstream service (auth, logger, mail) behind a deadline and a circuit breaker
 * (adapters/downstream.ts): the proxied routes call through it too.
 */
export interface DownstreamCalls {
  readonly name: string;
  /**
   * Runs `attempt` with a signal that fires at the deadline. AppErrors pass through (they are the
   * downstream's answers); any other failure becomes 503 "<name> unavailable".
   */
  call<T>(attempt: (signal: AbortSignal) => Promise<T>, options: CallOptions): Promise<T>;
}
