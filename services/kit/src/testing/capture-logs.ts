import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../logging/logger';

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
}

/** A real pino logger whose JSON lines are kept in memory for assertions. */
export function captureLogs(service = 'test', level = 'debug'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ service, level, destination }), lines };
}
