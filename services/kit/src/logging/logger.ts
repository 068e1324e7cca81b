import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentTraceIds } from '../tracing/spans';
import { currentRequestId } from './request-context';
import { TurnBufferedDestination } from './turn-buffered-destination';

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
const NOTHING = Object.freeze({});

export function createLogger({ service, level = 'info', destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: isoTimeOncePerMillisecond,
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
    mixin(line: object) {
      // A line that names its request itself (the access log) needs no context lookups.
      if ((line as { reqId?: unknown }).reqId !== undefined) return NOTHING;
      const reqId = currentRequestId();
      const trace = currentTraceIds();
      if (!trace) return reqId ? { reqId } : {};
      return reqId ? { reqId, ...trace } : trace;
    },
    // pino's default copies the line onto the mixin's object; with nothing to add, the line as it is.
    mixinMergeStrategy: (line, extra) => (extra === NOTHING ? line : Object.assign(extra, line)),
  };
  return pino(options, destination ?? stdoutDestination());
}

let lastMillis = -1;
let lastTime = '';

/**
 * pino's `isoTime`, formatted once per millisecond: a busy service writes many lines in the same
 * millisecond, and `toISOString` was a tenth of the access log line's cost.
 */
function isoTimeOncePerMillisecond(): string {
  const now = Date.now();
  if (now !== lastMillis) {
    lastMillis = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** Largest backlog kept while stdout is not being read; past it lines are dropped, not queued. */
const STDOUT_BACKLOG_BYTES = 8 * 1024 * 1024;
let stdout: DestinationStream | undefined;

/**
 * One asynchronous stdout destination per process: a log line never blocks the event loop (a
 * synchronous write to a pipe nobody reads would hold it, and with it every signal handler and
 * timer); the lines of one event-loop turn leave as one write (see TurnBufferedDestination); what
 * is buffered is flushed when the process exits.
 */
function stdoutDestination(): DestinationStream {
  if (stdout) return stdout;
  const dest = pino.destination({ dest: 1, sync: false, maxLength: STDOUT_BACKLOG_BYTES });
  dest.on('error', () => undefined); // a reader that went away: the lines are lost, not the process
  const buffered = new TurnBufferedDestination(dest);
  process.once('exit', () => {
    try {
      buffered.flushSync();
    } catch {
      // nothing to be done about a pipe that is gone
    }
  });
  stdout = buffered;
  return buffered;
}
