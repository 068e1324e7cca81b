import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { LogWrite } from '../../src/domain/ports';

const unique = () => randomUUID().slice(0, 8);

export const aLog = (overrides: Record<string, unknown> = {}) => ({
  name: `log-${unique()}`,
  data: 'written through the broker',
  ...overrides,
});

/** A log entry as the broker sends it to the logger's WriteLogs. */
export const aLogWrite = (): LogWrite => ({
  name: `record-${unique()}`,
  data: 'sent straight through the log writer',
  level: 'INFO',
  service: 'broker',
  event_id: randomUUID(),
  timestamp: new Date().toISOString(),
});

export const anEventPayload = (overrides: Record<string, unknown> = {}) => ({
  name: `event-${unique()}`,
  data: 'published through the broker',
  ...overrides,
});

export const aMail = (overrides: Record<string, unknown> = {}) => ({
  from: 'sender@broker-test.local',
  to: `to-${unique()}@broker-test.local`,
  subject: 'Hello from the broker test',
  message: 'This message went through the broker.',
  ...overrides,
});

/**
 * Makes the logger's real PostgreSQL refuse one exact `data` value (a CHECK constraint): an entry
 * that passes the input contract yet is refused by the store, as a store the schema does not
 * fully describe would.
 */
export async function refuseDataInStore(logsDatabaseUrl: string, data: string): Promise<void> {
  const client = new Client({ connectionString: logsDatabaseUrl });
  await client.connect();
  try {
    const literal = `'${data.replace(/'/g, "''")}'`;
    await client.query(
      `ALTER TABLE logs ADD CONSTRAINT refuse_${unique().replace(/-/g, '')} CHECK (data <> ${literal}) NOT VALID`,
    );
  } finally {
    await client.end();
  }
}
