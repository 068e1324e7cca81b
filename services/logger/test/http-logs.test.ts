import { createTestDatabase, waitFor, type TestDatabase } from '@micromesh/kit/testing';
import request from 'supertest';
import { aNewLog, aServiceName } from './factories';
import { openSse, type SseStream } from './sse-client';
import { startTestLogger, type TestLogger } from './start-test-logger';

/** Fixture times on a whole second an hour ago: inside any retention window. */
const anHourAgo = Math.floor(Date.now() / 1000) * 1000 - 60 * 60_000;
describe('logger HTTP', () => {
  let db: TestDatabase;
  let logger: TestLogger;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('logger_http');
    logger = await startTestLogger(db.url, { BODY_LIMIT: '64kb', LOG_TAIL_HEARTBEAT_MS: '200' });
    url = logger.service.address.url;
  });
  afterAll(async () => {
    await logger.stop();
    await db.drop();
  });

  describe('POST /log', () => {
    it('When the reference body {name, data} is posted, then 202 "logged" and the entry is stored', async () => {
      const res = await request(url).post('/log').send({ name: 'ref', data: 'from http' });

      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ error: false, message: 'logged' });
      const stored = await logger.service.store.get(res.body.data.event_id);
      expect(stored).toMatchObject({ name: 'ref', data: 'from http', level: 'INFO' });
    });

    it('When the same event_id is posted twice, then both answer 202 and the second says duplicate', async () => {
      const body = aNewLog();
      await request(url).post('/log').send(body);

      const res = await request(url).post('/log').send(body);

      expect(res.status).toBe(202);
      expect(res.body.data).toEqual({ event_id: body.event_id, duplicate: true });
    });

    it('When fields are invalid, then 400 lists each problem and nothing is stored', async () => {
      const service = aServiceName();

      const res = await request(url)
        .post('/log')
        .send({ service, name: 'x', data: 1, level: 'LOUD', surprise: true });

      expect(res.status).toBe(400);
      expect(res.body.error).toBe(true);
      expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(
        expect.arrayContaining(['data', 'level']),
      );
      expect(await logger.service.store.query({ service, limit: 5 })).toEqual([]);
    });

    it('When the body is not JSON, then 400 malformed JSON', async () => {
      const res = await request(url)
        .post('/log')
        .set('content-type', 'application/json')
        .send('{"name":');

      expect(res.status).toBe(400);
      expect(res.body.message).toBe('malformed JSON body');
    });

    it('When the body is over BODY_LIMIT, then 413', async () => {
      const res = await request(url)
        .post('/log')
        .send({ name: 'big', data: 'x'.repeat(70 * 1024) });

      expect(res.status).toBe(413);
      expect(res.body.error).toBe(true);
    });
  });

  describe('POST /logs/bulk', () => {
    it('When a batch with a repeated entry is posted, then 202 with written and duplicates', async () => {
      const service = aServiceName();
      const entries = [aNewLog({ service }), aNewLog({ service })];

      const res = await request(url)
        .post('/logs/bulk')
        .send({ entries: [...entries, entries[0]] });

      expect(res.status).toBe(202);
      expect(res.body.data).toMatchObject({ written: 2, duplicates: 1, rejected: 0 });
      expect(res.body.data.results.map((r: { outcome: string }) => r.outcome)).toEqual([
        'written',
        'written',
        'duplicate',
      ]);
      expect(await logger.service.store.query({ service, limit: 5 })).toHaveLength(2);
    });

    it('When entries is not an array, then 400', async () => {
      const res = await request(url).post('/logs/bulk').send({ entries: 'nope' });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([
        { path: 'entries', message: 'an array of log entries is required' },
      ]);
    });
  });

  describe('GET /logs', () => {
    const service = aServiceName();
    const posted = [0, 1, 2].map((i) =>
      aNewLog({
        service,
        level: i === 1 ? 'ERROR' : 'INFO',
        data: i === 2 ? 'disk quota exceeded' : `routine ${i}`,
        timestamp: new Date(anHourAgo + i * 60_000).toISOString(),
      }),
    );

    beforeAll(async () => {
      await request(url).post('/logs/bulk').send({ entries: posted }).expect(202);
    });

    it('When paged with limit and cursor, then entries come newest first until next_cursor is null', async () => {
      const first = await request(url).get('/logs').query({ service, limit: 2 });
      const second = await request(url)
        .get('/logs')
        .query({ service, limit: 2, cursor: first.body.data.next_cursor });

      expect(first.status).toBe(200);
      expect(first.body.data.entries.map((e: { event_id: string }) => e.event_id)).toEqual([
        posted[2]!.event_id,
        posted[1]!.event_id,
      ]);
      expect(second.body.data).toEqual({ entries: [posted[0]], next_cursor: null });
    });

    it('When filtered by level, text and time range, then only matching entries come back', async () => {
      const byLevel = await request(url).get('/logs').query({ service, level: 'error' });
      const byText = await request(url).get('/logs').query({ service, text: 'quota' });
      const byRange = await request(url).get('/logs').query({
        service,
        from: posted[0]!.timestamp,
        to: posted[2]!.timestamp,
      });

      const eventIds = (res: request.Response) =>
        res.body.data.entries.map((e: { event_id: string }) => e.event_id);
      expect(eventIds(byLevel)).toEqual([posted[1]!.event_id]);
      expect(eventIds(byText)).toEqual([posted[2]!.event_id]);
      expect(eventIds(byRange)).toEqual([posted[1]!.event_id, posted[0]!.event_id]);
    });

    it('When a filter is sent empty (level=), then it is ignored', async () => {
      const res = await request(url).get('/logs').query({ service, level: '', text: '' });

      expect(res.status).toBe(200);
      expect(res.body.data.entries).toHaveLength(3);
    });

    it('When a filter is malformed, then 400 names it', async () => {
      const res = await request(url)
        .get('/logs')
        .query({ limit: 9999, from: 'yesterday', trace_id: 'XYZ' });

      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'from',
        'limit',
        'trace_id',
      ]);
    });

    it('When the cursor was tampered with, then 400 invalid cursor', async () => {
      const res = await request(url).get('/logs').query({ cursor: 'AAAA' });

      expect(res.status).toBe(400);
      expect(res.body.message).toBe('invalid cursor');
    });
  });

  describe('GET /logs/:id', () => {
    it('When the entry exists, then 200 with it', async () => {
      const body = aNewLog();
      await request(url).post('/log').send(body).expect(202);

      const res = await request(url).get(`/logs/${body.event_id}`);

      expect(res.status).toBe(200);
      expect(res.body.data).toEqual(body);
    });

    it('When it does not exist, then 404; when the id is not a UUID, then 400', async () => {
      const missing = await request(url).get('/logs/00000000-0000-4000-8000-000000000000');
      const malformed = await request(url).get('/logs/not-a-uuid');

      expect(missing.status).toBe(404);
      expect(malformed.status).toBe(400);
    });
  });

  describe('GET /logs/stream', () => {
    let stream: SseStream | undefined;
    afterEach(() => stream?.close());

    it('When an entry matching the filter is stored, then it arrives as a "log" event (others do not)', async () => {
      const service = aServiceName();
      stream = await openSse(`${url}/logs/stream?service=${service}&level=ERROR`);
      const ready = await waitFor(() => stream!.events.find((e) => e.event === 'ready'), {
        what: 'ready',
      });
      expect(ready.data).toEqual({
        filter: { service, level: 'ERROR' },
        delivery: 'push',
      });
      const wanted = aNewLog({ service, level: 'ERROR' });

      await request(url)
        .post('/logs/bulk')
        .send({ entries: [aNewLog({ service, level: 'INFO' }), wanted, aNewLog()] })
        .expect(202);

      await waitFor(() => stream!.events.some((e) => e.event === 'log'), {
        timeoutMs: 10_000,
        what: 'log event',
      });
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(stream.events.filter((e) => e.event === 'log')).toEqual([
        { event: 'log', id: wanted.event_id, data: wanted },
      ]);
    });

    it('When the stream is idle, then heartbeat comments keep it open', async () => {
      stream = await openSse(`${url}/logs/stream`);

      await waitFor(() => stream!.raw().includes(': ping'), { what: 'heartbeat' });
    });

    it('When an entry is written through ANOTHER replica, then this replica streams it', async () => {
      const other = await startTestLogger(db.url);
      try {
        const service = aServiceName();
        stream = await openSse(`${url}/logs/stream?service=${service}`);
        await waitFor(() => stream!.events.some((e) => e.event === 'ready'), { what: 'ready' });
        const entry = aNewLog({ service });

        await other.calls.writeLog(
          { ...entry, metadata: JSON.stringify(entry.metadata) },
          { timeoutMs: 5_000 },
        );

        const event = await waitFor(() => stream!.events.find((e) => e.event === 'log'), {
          timeoutMs: 10_000,
          what: 'cross-replica log event',
        });
        expect(event.data).toEqual(entry);
      } finally {
        await other.stop();
      }
    });

    it('When the replica shuts down, then its open streams end and the shutdown does not wait for them', async () => {
      const other = await startTestLogger(db.url);
      stream = await openSse(`${other.service.address.url}/logs/stream`);
      await waitFor(() => stream!.events.some((e) => e.event === 'ready'), { what: 'ready' });

      await other.stop();

      await waitFor(() => stream!.ended(), { timeoutMs: 4_000, what: 'stream end' });
    });

    it('When a filter is malformed, then 400 before any stream starts', async () => {
      const res = await request(url).get('/logs/stream').query({ level: 'LOUD', bogus: 1 });

      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/json/);
    });
  });
});
