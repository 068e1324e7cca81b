import type { IncomingMessage } from 'node:http';

type Enter = (fn: () => void) => void;

const SCOPE = Symbol('micromesh.requestScope');
type Scoped = IncomingMessage & { [SCOPE]?: Enter };

/**
 * Remembers how to re-enter a request's context (its request id, its trace span). A request's
 * body events fire in its socket's context, not the request's; a middleware that calls on from
 * such an event re-enters it with `resumeRequestScope`. Kept on the request itself: an
 * `AsyncLocalStorage.snapshot` (an AsyncResource) or a WeakMap entry per request cost the
 * garbage collector more than the rest of the body reader.
 */
export function setRequestScope(req: IncomingMessage, enter: Enter): void {
  (req as Scoped)[SCOPE] = enter;
}

/** Runs `fn` in the request's context when one was set, else as it is. */
export function resumeRequestScope(req: IncomingMessage, fn: () => void): void {
  const enter = (req as Scoped)[SCOPE];
  if (enter) enter(fn);
  else fn();
}
