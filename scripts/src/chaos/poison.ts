import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';

export interface PoisonReport {
  sent: number;
  /** Answers by status; anything but a 4xx is a failure. */
  statuses: Record<string, number>;
  notRefused: number;
  /** Messages pushed straight into `logs_topic`, bypassing the broker. */
  queued?: number;
}

const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepObject = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
};

/** Raw request bodies (and content types) that must each be refused with a 4xx. */
function poisonRequests(): { body: string; contentType: string; what: string }[] {
  const json = (what: string, value: unknown) => ({
    what,
    body: JSON.stringify(value),
    contentType: 'application/json',
  });
  return [
    json('NUL in event data', { action: 'event', event: { name: 'x', data: 'a\u0000b' } }),
    json('NUL in log data', { action: 'log', log: { name: 'x', data: 'a\u0000b' } }),
    json('NUL in a metadata key', {
      action: 'log',
      log: { name: 'x', data: 'y', metadata: { 'a\u0000': 1 } },
    }),
    json('$ metadata key', {
      action: 'log',
      log: { name: 'x', data: 'y', metadata: { $where: 1 } },
    }),
    json('dotted metadata key', {
      action: 'log',
      log: { name: 'x', data: 'y', metadata: { 'a.b': 1 } },
    }),
    json('metadata nested 120 deep', {
      action: 'log',
      log: { name: 'x', data: 'y', metadata: { d: deepObject(120) } },
    }),
    {
      what: 'lone surrogate',
      body: '{"action":"event","event":{"name":"\\ud800","data":"y"}}',
      contentType: 'application/json',
    },
    json('unknown level', { action: 'log', log: { name: 'x', data: 'y', level: 'LOUD' } }),
    json('data over the limit', {
      action: 'event',
      event: { name: 'x', data: 'z'.repeat(70_000) },
    }),
    {
      what: 'JSON nested 20,000 deep',
      body: `{"action":"log","log":${deepJson(20_000)}}`,
      contentType: 'application/json',
    },
    { what: 'not JSON', body: '{"action":"log",', contentType: 'application/json' },
    {
      what: 'not a JSON type',
      body: 'action=log',
      contentType: 'application/x-www-form-urlencoded',
    },
    json('unknown action', { action: 'drop-tables' }),
    json('mail from another sender', {
      action: 'mail',
      mail: { from: 'ceo@bank-example.com', to: 'a@example.com', subject: 's', message: 'm' },
    }),
    json('mail header injection', {
      action: 'mail',
      mail: { to: 'a@example.com\r\nBcc: b@example.com', subject: 's', message: 'm' },
    }),
  ];
}

/** Sends each poison request once, as an authenticated client would. */
export async function sendPoisonRequests(brokerUrl: string, token: string): Promise<PoisonReport> {
  const statuses: Record<string, number> = {};
  const bad: string[] = [];
  const requests = poisonRequests();
  for (const r of requests) {
    let status: string;
    try {
      const res = await fetch(`${brokerUrl}/handle`, {
        method: 'POST',
        headers: { 'content-type': r.contentType, authorization: `Bearer ${token}` },
        body: r.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      status = String(res.status);
    } catch {
      status = 'no answer';
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (!/^4\d\d$/.test(status)) bad.push(`${r.what} → ${status}`);
  }
  return {
    sent: requests.length,
    statuses,
    notRefused: bad.length,
    ...(bad.length ? { bad } : {}),
  };
}

/**
 * Messages a buggy or hostile producer could put on `logs_topic`: not JSON, not an event, and
 * events whose content a store refuses. The listener must dead-letter each and keep going.
 */
export async function publishPoison(amqpUrl: string, runId: string): Promise<number> {
  const event = (over: Record<string, unknown>) =>
    Buffer.from(
      JSON.stringify({
        event_id: randomUUID(),
        name: 'poison',
        data: `${runId} poison`,
        level: 'INFO',
        service: 'chaos',
        timestamp: new Date().toISOString(),
        ...over,
      }),
    );
  const bodies = [
    Buffer.from('{"not": json'),
    Buffer.from(JSON.stringify({ hello: 'world' })),
    event({ data: `${runId} a\u0000b` }),
    event({ metadata: { $set: 1 } }),
    event({ metadata: { deep: deepObject(150) } }),
    event({ name: '\ud800' }),
  ];
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    for (const body of bodies) {
      channel.publish('logs_topic', 'log.INFO', body, {
        persistent: true,
        contentType: 'application/json',
        messageId: randomUUID(),
      });
    }
    await channel.waitForConfirms();
    await channel.close();
  } finally {
    await connection.close();
  }
  return bodies.length;
}
