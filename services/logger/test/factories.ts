import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Log } from '@micromesh/proto';
import type { LogEntry } from '../src/domain/log-entry';
import type { SpanRecord } from '../src/domain/span-record';

let sequence = 0;

/** A stored-shape entry with every field set; override what a test is about. */
export function aLogEntry(overrides: Partial<LogEntry> = {}): LogEntry {
  sequence += 1;
  return {
    event_id: randomUUID(),
    name: `event-${sequence}`,
    data: `something happened #${sequence}`,
    level: 'INFO',
    service: 'auth',
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    metadata: { attempt: sequence, tags: ['a', 'b'], nested: { ok: true, none: null } },
    // A minute ago (whole second + a distinct millisecond): always inside retention.
    timestamp: new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000 + (sequence % 1000)),
    ...overrides,
  };
}

/** The JSON a producer sends (HTTP body / gRPC fields before wire encoding). */
export function aNewLog(overrides: Record<string, unknown> = {}) {
  const { timestamp, ...entry } = aLogEntry();
  return { ...entry, timestamp: timestamp.toISOString(), ...overrides };
}

/** A unique service name, so assertions only see the rows a test wrote. */
/** A gRPC Log as producers send it: every extension as a string, metadata as JSON text. */
export function aLogMessage(overrides: Partial<Log> = {}): Log {
  const { metadata, ...rest } = aNewLog();
  return { ...rest, metadata: JSON.stringify(metadata), ...overrides } as Log;
}

export function aServiceName(): string {
  return `svc-${randomBytes(4).toString('hex')}`;
}

/** A stored-shape span; override what a test is about. */
export function aSpan(overrides: Partial<SpanRecord> = {}): SpanRecord {
  sequence += 1;
  return {
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    service: 'broker',
    name: `span-${sequence}`,
    kind: 'server',
    start_us: Date.now() * 1000 + sequence,
    duration_us: 1_500,
    status: 'unset',
    attributes: { 'http.route': '/handle', 'http.response.status_code': 202, ok: true },
    links: [],
    ...overrides,
  };
}

/**
 * Makes the real PostgreSQL refuse one exact `data` value (a CHECK constraint on the logs table):
 * an entry that passes the contract schema yet is refused by the store, to test what happens then.
 */
export async function refuseDataInStore(databaseUrl: string, data: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const name = `test_refuse_${randomBytes(4).toString('hex')}`;
    const literal = `'${data.replace(/'/g, "''")}'`;
    await client.query(
      `ALTER TABLE logs ADD CONSTRAINT ${name} CHECK (data <> ${literal}) NOT VALID`,
    );
  } finally {
    await client.end();
  }
}
