import net from 'node:net';
import { createTestDatabase, waitFor, type TestDatabase } from '@micromesh/kit/testing';
import request from 'supertest';
import { aNewLog, aServiceName } from './factories';
import { openSse, type SseStream } from './sse-client';
import { startTestLogger, type TestLogger } from './start-test-logger';

const MAX_BUFFER = 256 * 1024;
const MAX_SUBSCRIBERS = 3;

/** A client that opens the live tail, reads up to `ready`, then stops reading (paused socket). */
async function openStalledTail(baseUrl: string, service: string) {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => undefined);
  socket.write(`GET /logs/stream?service=${service} HTTP/1.1\r\nhost: ${hostname}\r\n\r\n`);
  await waitFor(() => received.includes('event: ready'), { what: 'the tail ready' });
  socket.pause();
  return {
    /** Starts reading again; everything the server queued for it arrives now. */
    resume: () => socket.resume(),
    text: () => received,
    closed: () => closed,
    destroy: () => socket.destroy(),
  };
}

describe('logger live tail: bounds', () => {
  let db: TestDatabase;
  let logger: TestLogger;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('logger_tail_limits');
    logger = await startTestLogger(db.url, {
      LOG_TAIL_MAX_BUFFER_BYTES: String(MAX_BUFFER),
      LOG_TAIL_MAX_SUBSCRIBERS: String(MAX_SUBSCRIBERS),
    });
    url = logger.service.address.url;
  });
  const metricsText = async () => (await request(logger.service.metricsUrl).get('/metrics')).text;
  afterAll(async () => {
    await logger.stop();
    await db.drop();
  });

  describe('GET /logs/stream', () => {
    it('When the client stops reading while logs keep coming, then the logger ends its stream ("slow consumer") instead of queueing every entry', async () => {
      const service = aServiceName();
      const stalled = await openStalledTail(url, service);
      const data = 'x'.repeat(60_000);
      let written = 0;

      try {
        // ~22 MB of matching entries: far more than the socket buffers and the bound together.
        for (let round = 0; round < 24; round++) {
          const entries = Array.from({ length: 15 }, () => aNewLog({ service, data }));
          await request(url).post('/logs/bulk').send({ entries }).expect(202);
          written += entries.length;
        }
        stalled.resume();
        // The response ends (last chunk), the kept-alive connection may stay open.
        await waitFor(() => stalled.text().endsWith('\r\n0\r\n\r\n') || stalled.closed(), {
          timeoutMs: 10_000,
          what: 'the stream to end',
        });

        const text = stalled.text();
        const delivered = text.split('event: log\n').length - 1;
        expect(text).toContain('event: end\ndata: {"reason":"slow consumer"}\n\n\r\n0\r\n\r\n');
        // What the client finally gets is what the logger held for it: bounded, not all 22 MB.
        expect(delivered).toBeLessThan(written / 2);
        expect(Buffer.byteLength(text)).toBeLessThan(8 * 1024 * 1024);
        expect(await metricsText()).toMatch(
          /^logger_tail_streams_ended_total\{[^}]*reason="slow consumer"[^}]*\} 1$/m,
        );
      } finally {
        stalled.destroy();
      }
    }, 60_000);

    it('When a client reads normally, then its stream is not ended by the buffer bound', async () => {
      const service = aServiceName();
      const stream = await openSse(`${url}/logs/stream?service=${service}`);
      try {
        await waitFor(() => stream.events.some((e) => e.event === 'ready'), { what: 'ready' });
        const data = 'y'.repeat(60_000);

        for (let round = 0; round < 4; round++) {
          const entries = Array.from({ length: 10 }, () => aNewLog({ service, data }));
          await request(url).post('/logs/bulk').send({ entries }).expect(202);
        }

        await waitFor(() => stream.events.filter((e) => e.event === 'log').length === 40, {
          timeoutMs: 10_000,
          what: 'all 40 entries',
        });
        expect(stream.ended()).toBe(false);
      } finally {
        stream.close();
      }
    });

    it('When more tails are opened than LOG_TAIL_MAX_SUBSCRIBERS, then the extra one is 503 with Retry-After, and a slot frees when one closes', async () => {
      const streams: SseStream[] = [];
      try {
        for (let i = 0; i < MAX_SUBSCRIBERS; i++) streams.push(await openSse(`${url}/logs/stream`));

        const gauge = await metricsText();
        const refused = await request(url).get('/logs/stream');
        const counted = await metricsText();
        streams.shift()!.close();
        const again = await waitFor(
          async () => {
            const s = await openSse(`${url}/logs/stream`);
            if (s.status === 200) return s;
            s.close();
            return undefined;
          },
          { what: 'a freed slot' },
        );
        streams.push(again);

        expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
        expect(gauge).toMatch(
          new RegExp(`^logger_tail_streams\\{[^}]*\\} ${MAX_SUBSCRIBERS}$`, 'm'),
        );
        expect(counted).toMatch(/^logger_tail_streams_refused_total\{[^}]*\} 1$/m);
        expect(refused.status).toBe(503);
        expect(refused.headers['retry-after']).toBe('5');
        expect(refused.body).toEqual({
          error: true,
          message: `the live tail is full: this logger serves at most ${MAX_SUBSCRIBERS} streams; try again later`,
        });
      } finally {
        for (const s of streams) s.close();
      }
    });

    // The broker guards the tail by its one spelling; the logger serves it under no other.
    it.each(['/logs/stream/', '/logs/STREAM', '/logs/Stream', '/logs/%73tream', '/Logs/stream'])(
      'When the tail is asked as %s, then 4xx and no event stream',
      async (path) => {
        const stream = await openSse(`${url}${path}`);
        stream.close();

        expect(stream.status).toBeGreaterThanOrEqual(400);
        expect(stream.status).toBeLessThan(500);
        expect(String(stream.headers['content-type'])).not.toContain('text/event-stream');
      },
    );
  });
});
