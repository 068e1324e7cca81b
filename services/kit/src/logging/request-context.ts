import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with a request id that every log line and outgoing call inside it will carry. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

export const REQUEST_ID_HEADER = 'x-request-id';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's request id is reused only when it is short and plain; anything else is replaced. */
export function acceptRequestId(candidate: unknown): string | undefined {
  return typeof candidate === 'string' && VALID_REQUEST_ID.test(candidate) ? candidate : undefined;
}

/** Headers that pass the current request id on to another service. */
export function propagationHeaders(): Record<string, string> {
  const id = currentRequestId();
  return id ? { [REQUEST_ID_HEADER]: id } : {};
}
