import type { Request } from 'express';

/**
 * Which mesh services may call the logger (by the common name of their client certificate; only
 * enforced with mutual TLS). Writes come from the broker (`log` action), the listener (events)
 * and auth; reads, the live tail and traces hold personal data and go through the broker alone,
 * which checks the end user's permission first.
 */
export const LOG_WRITERS = ['broker', 'listener', 'auth'] as const;
export const LOG_READERS = ['broker'] as const;

/** Every traced service exports its spans here (OTLP/HTTP), the logger included. */
export const SPAN_EXPORTERS = ['broker', 'listener', 'auth', 'mail', 'logger'] as const;

const WRITE_PATHS = new Set(['/log', '/logs/bulk']);

/** Every HTTP route but the writes is a read: a new route is broker-only until listed here. */
export function httpCallers(req: Request): readonly string[] {
  if (req.method === 'POST' && req.path === '/v1/traces') return SPAN_EXPORTERS;
  return req.method === 'POST' && WRITE_PATHS.has(req.path) ? LOG_WRITERS : LOG_READERS;
}
