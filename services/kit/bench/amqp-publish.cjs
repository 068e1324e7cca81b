// Confirmed-publish throughput of the kit's EventPublisher against the real local RabbitMQ.
// Bounded: at most MESSAGES publishes per round and SECONDS seconds, in a throwaway vhost.
// Run after `npx tsc -b services/kit`:  node services/kit/bench/amqp-publish.cjs [inFlight...]
'use strict';
const amqp = require('amqplib');
const { AmqpConnection, EventPublisher, createLogger } = require('../dist/index.js');
const { createEvent } = require('../../contracts/dist/index.js');
const { createTestVhost } = require('../dist/testing/index.js');

const MESSAGES = Number(process.env.BENCH_MESSAGES || 30_000);
const SECONDS = Number(process.env.BENCH_SECONDS || 10);

async function round(publisher, inFlight) {
  const latencies = [];
  let sent = 0;
  let failed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  async function worker() {
    while (sent < MESSAGES && performance.now() < deadline) {
      sent++;
      const event = createEvent({ name: 'bench', data: 'x'.repeat(200), service: 'bench' });
      const t0 = performance.now();
      try {
        await publisher.publish(event);
        latencies.push(performance.now() - t0);
      } catch {
        failed++;
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return {
    inFlight,
    confirmed: latencies.length,
    failed,
    perSecond: Math.round(latencies.length / seconds),
    p50ms: +pct(0.5).toFixed(2),
    p99ms: +pct(0.99).toFixed(2),
    clientCpuUsPerMessage: Math.round((cpu.user + cpu.system) / Math.max(1, sent)),
  };
}

async function main() {
  const levels = process.argv.slice(2).map(Number).filter(Boolean);
  const vhost = await createTestVhost('kit-bench');
  const reader = await amqp.connect(vhost.url);
  try {
    const channel = await reader.createChannel();
    await channel.assertExchange('logs_topic', 'topic', { durable: true });
    // A real durable queue so every message is routed and persisted; bounded so it cannot grow.
    await channel.assertQueue('bench', {
      durable: true,
      arguments: { 'x-max-length': 10_000, 'x-overflow': 'drop-head' },
    });
    await channel.bindQueue('bench', 'logs_topic', 'log.#');
    const logger = createLogger({ service: 'bench', level: 'warn' });
    const connection = new AmqpConnection({ url: vhost.url, logger, name: 'kit-bench' });
    const publisher = new EventPublisher({ connection });
    connection.start();
    await connection.waitUntilConnected(10_000);
    await round(publisher, 50); // warm-up
    for (const inFlight of levels.length ? levels : [1, 200, 1000]) {
      console.log(JSON.stringify(await round(publisher, inFlight)));
    }
    await publisher.close();
    await connection.close();
  } finally {
    await reader.close().catch(() => undefined);
    await vhost.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
