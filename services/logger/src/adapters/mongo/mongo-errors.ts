import { AppError } from '@micromesh/kit';
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';
import { StoreUnavailableError } from '../../domain/ports';

/**
 * Server codes that mean "this server cannot take the operation right now" — a replica set
 * changing primary, a node shutting down or restarting, an operation or write concern out of time,
 * a full disk or quota, a lock or write conflict — never "this document is wrong". The call may
 * succeed when retried.
 */
export const OUTAGE_CODES: ReadonlySet<number> = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  24, // LockTimeout
  46, // LockBusy
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed (wtimeout)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  133, // FailedToSatisfyReadPreference
  189, // PrimarySteppedDown
  202, // NetworkInterfaceExceededTimeLimit
  262, // ExceededTimeLimit
  8000, // AtlasError (e.g. over the space quota)
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11601, // Interrupted
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
  14031, // OutOfDiskSpace
]);

const AUTH_FAILED = 18;
const UNAUTHORIZED = 13;
/** Codes of a server that refuses the logger itself (its credentials or its role's privileges). */
export const ACCESS_DENIED_CODES: ReadonlySet<number> = new Set([AUTH_FAILED, UNAUTHORIZED]);

/**
 * The server refused the logger's credentials or role: a deployment error (a rotated password, a
 * revoked role) that no entry is to blame for. The store is unavailable to every writer until it
 * is fixed — 503 / UNAVAILABLE, so the listener holds its events and reports forwarding blocked
 * instead of dead-lettering valid ones — with a message that names the cause.
 */
export class StoreAccessDeniedError extends StoreUnavailableError {
  constructor(cause: unknown) {
    super(cause, 'the log store refused the logger (credentials or role: check LOG_STORE_URL)');
  }
}

/** True for failures of the connection or the server's state, as opposed to the request. */
export function isOutage(error: unknown): boolean {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoWriteConcernError
  ) {
    return true;
  }
  // The pool's wait-queue timeout (all connections busy past waitQueueTimeoutMS) and the
  // client-side operation timeout are not exported as classes in every 6.x release: match names.
  if (
    error instanceof Error &&
    /^(WaitQueueTimeoutError|MongoOperationTimeoutError)$/.test(error.name)
  ) {
    return true;
  }
  if (error instanceof MongoError) {
    if (typeof error.code === 'number' && OUTAGE_CODES.has(error.code)) return true;
    if (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('ResetPool')) return true;
  }
  return false;
}

export function isAccessDenied(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    typeof error.code === 'number' &&
    ACCESS_DENIED_CODES.has(error.code)
  );
}

/**
 * Every adapter call ends here on failure: outages → StoreUnavailableError (UNAVAILABLE / 503,
 * retried by callers), refused credentials → StoreAccessDeniedError (a StoreUnavailableError that
 * names LOG_STORE_URL), anything else unchanged.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  // Authentication runs while a connection is made, so its failure can also arrive as the cause
  // of a server-selection error: look one level down before calling it an outage.
  const cause = error instanceof Error ? error.cause : undefined;
  if (isAccessDenied(error) || isAccessDenied(cause)) return new StoreAccessDeniedError(error);
  if (isOutage(error)) return new StoreUnavailableError(error);
  return error;
}
