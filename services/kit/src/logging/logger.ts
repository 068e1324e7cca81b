import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentTraceIds } from '../tracing/spans';
import { currentRequestId } from './request-context';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: string;
  level?: LoggerOptions['level'];
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/**
 * pino JSON logger; every line carries the service name and, inside a request, its id and the
 * trace and span it belongs to (`trace_id`, `span_id`, when the request is traced).
 */
export function createLogger({ service, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // A guard for the shapes a careless log call could pass. Exact paths only: wildcard paths
    // cost about as much again per line as the rest of the line's serialisation.
    redact: {
      paths: [
        'password',
        'password_hash',
        'access_token',
        'user.password',
        'user.password_hash',
        'body.password',
        'auth.password',
        'headers.authorization',
        'headers.cookie',
        'headers["x-api-key"]',
      ],
      censor: '[redacted]',
    },
    mixin() {
      const reqId = currentRequestId();
      const trace = currentTraceIds();
      if (!trace) return reqId ? { reqId } : {};
      return reqId ? { reqId, ...trace } : trace;
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
