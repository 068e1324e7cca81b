import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { z } from 'zod';
import {
  AppError,
  Health,
  Lifecycle,
  createHttpServer,
  sendJson,
  createMetrics,
  ok,
  parseInput,
  propagationHeaders,
  type HttpServer,
} from '@micromesh/kit';
import { captureLogs } from '@micromesh/kit/testing';

function buildServer(logs = captureLogs('kit-test')) {
  const health = new Health();
  const metrics = createMetrics('kit-test');
  const server = createHttpServer({
    logger: logs.logger,
    health,
    metrics,
    bodyLimit: '1kb',
    routes: (app) => {
      app.post('/echo', (req, res) => {
        const body = parseInput(z.object({ name: z.string().min(1) }), req.body);
        res.status(201).json({ error: false, message: 'echoed', data: body });
      });
      app.get('/boom', () => {
        throw new Error('secret internals at /srv/app.ts:12');
      });
      app.get('/teapot', () => {
        throw new AppError(418, 'short and stout');
      });
      app.get('/whoami', (_req, res) => {
        logs.logger.info('handling whoami');
        res.json({ error: false, message: 'ok', data: propagationHeaders() });
      });
      app.post('/whoami', (_req, res) => {
        logs.logger.info('handling whoami with a body');
        res.json({ error: false, message: 'ok', data: propagationHeaders() });
      });
    },
  });
  return { server, health, metrics, logs };
}

describe('kit http app', () => {
  const built = buildServer();
  const http = request(built.server.app);

  describe('the envelope', () => {
    it('When the JSON body is malformed, then 400 with a clear message', async () => {
      const res = await http.post('/echo').set('content-type', 'application/json').send('{"name":');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: true, message: 'malformed JSON body' });
    });

    it('When the JSON body nests deeper than 64 levels, then 400 naming the limit; 64 levels pass', async () => {
      const nested = (depth: number) =>
        `${'['.repeat(depth - 1)}{"name":"]]}}\\"["}${']'.repeat(depth - 1)}`;
      const deep = await http
        .post('/echo')
        .set('content-type', 'application/json')
        .send(nested(65));
      expect(deep.status).toBe(400);
      expect(deep.body).toEqual({ error: true, message: 'JSON body nested deeper than 64 levels' });

      // Brackets inside strings do not count: this one is parsed (and refused by the schema).
      const fine = await http
        .post('/echo')
        .set('content-type', 'application/json')
        .send(nested(64));
      expect(fine.status).toBe(400);
      expect(fine.body.message).toBe('invalid request');
    });

    it('When a hostile body opens 500 arrays, then 400 at once, never 500', async () => {
      const res = await http
        .post('/echo')
        .set('content-type', 'application/json')
        .send('['.repeat(500));
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('JSON body nested deeper than 64 levels');
    });

    it('When fields are wrong, then 400 lists each problem in details', async () => {
      const res = await http.post('/echo').send({ name: 42 });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(true);
      expect(res.body.message).toBe('invalid request');
      expect(res.body.details).toEqual([{ path: 'name', message: expect.any(String) }]);
    });

    it('When the body is over the limit, then 413', async () => {
      const res = await http.post('/echo').send({ name: 'x'.repeat(2_000) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ error: true, message: 'request body too large' });
    });

    it('When the body is not JSON, then 415', async () => {
      const res = await http.post('/echo').set('content-type', 'text/plain').send('name=x');
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ error: true, message: 'content-type must be application/json' });
    });

    it('When the body is JSON in another charset or compressed, then 415 says why', async () => {
      const latin1 = await http
        .post('/echo')
        .set('content-type', 'application/json; charset=latin1')
        .send('{"name":"x"}');
      expect(latin1.status).toBe(415);
      expect(latin1.body).toEqual({ error: true, message: 'unsupported body encoding' });
      const gzip = await http
        .post('/echo')
        .set('content-type', 'application/json')
        .set('content-encoding', 'gzip')
        .send('{"name":"x"}');
      expect(gzip.status).toBe(415);
      expect(gzip.body.message).toBe('unsupported content-encoding gzip');
    });

    it('When the body is a JSON scalar, then 400 (only objects and arrays are accepted)', async () => {
      const res = await http.post('/echo').set('content-type', 'application/json').send('"name"');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: true, message: 'malformed JSON body' });
    });

    it('When the type is a +json type with a UTF-8 charset, then it is parsed', async () => {
      const res = await http
        .post('/echo')
        .set('content-type', 'application/merge-patch+json; charset=UTF-8')
        .send('{"name":"ada"}');
      expect(res.status).toBe(201);
      expect(res.body.data).toEqual({ name: 'ada' });
    });

    it('When a chunked body (no Content-Length) grows over the limit, then 413', async () => {
      const address = await built.server.start(0);
      try {
        const big = new TextEncoder().encode(JSON.stringify({ name: 'x'.repeat(4_000) }));
        const body = new ReadableStream({
          start(controller) {
            for (let i = 0; i < big.length; i += 500) controller.enqueue(big.slice(i, i + 500));
            controller.close();
          },
        });
        const res = await fetch(`${address.url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          duplex: 'half',
        } as RequestInit);
        expect(res.status).toBe(413);
        expect(await res.json()).toEqual({ error: true, message: 'request body too large' });
      } finally {
        await built.server.stop();
      }
    });

    it('When the route does not exist, then 404 in the envelope', async () => {
      const res = await http.get('/nowhere');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: true, message: 'no route for GET /nowhere' });
    });

    it('When a handler throws an unknown error, then 500 without internals, and it is logged', async () => {
      const res = await http.get('/boom');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: true, message: 'internal error' });
      expect(JSON.stringify(res.body)).not.toContain('/srv/app.ts');
      const logged = built.logs.lines.find((l) => l.msg === 'internal error');
      expect(logged).toMatchObject({
        level: 'error',
        err: { message: expect.stringContaining('secret') },
      });
    });

    it('When a handler throws an AppError, then its status and public message', async () => {
      const res = await http.get('/teapot');
      expect(res.status).toBe(418);
      expect(res.body).toEqual({ error: true, message: 'short and stout' });
    });

    it("When an answer is sent with sendJson, then its status, type, length and body are what Express's res.json sends", async () => {
      const body = { error: false, message: 'ünïcode ✓', data: { n: 1, s: '</script>' } };
      const app = express();
      app.set('etag', false);
      app.get('/express', (_req, res) => void res.status(202).json(body));
      app.get('/direct', (_req, res) => sendJson(res, 202, body));
      const [viaExpress, direct] = await Promise.all([
        request(app).get('/express'),
        request(app).get('/direct'),
      ]);
      expect(direct.status).toBe(202);
      expect(direct.text).toBe(viaExpress.text);
      for (const header of ['content-type', 'content-length']) {
        expect(direct.headers[header]).toBe(viaExpress.headers[header]);
      }
      const head = await request(app).head('/direct');
      expect(head.headers['content-length']).toBe(viaExpress.headers['content-length']);
      expect(head.text).toBeUndefined();
    });

    it('When the input is valid, then the handler answers', async () => {
      const res = await http.post('/echo').send({ name: 'ada' });
      expect(res.status).toBe(201);
      expect(res.body.data).toEqual({ name: 'ada' });
    });
  });

  describe('routing', () => {
    const withRouting = (routing?: { caseSensitive?: boolean; strict?: boolean }) =>
      request(
        createHttpServer({
          logger: captureLogs('kit-test', 'silent').logger,
          health: new Health(),
          metrics: createMetrics('kit-test'),
          routing,
          routes: (app) => app.get('/logs/stream', (_req, res) => res.json(ok('the tail'))),
        }).app,
      );

    it('When routing is left loose (the default), then /logs/STREAM and /logs/stream/ reach /logs/stream', async () => {
      const loose = withRouting();

      expect((await loose.get('/logs/STREAM')).status).toBe(200);
      expect((await loose.get('/logs/stream/')).status).toBe(200);
    });

    it('When routing is case-sensitive and strict, then only /logs/stream reaches the route', async () => {
      const exact = withRouting({ caseSensitive: true, strict: true });

      expect((await exact.get('/logs/stream')).status).toBe(200);
      expect((await exact.get('/logs/STREAM')).status).toBe(404);
      expect((await exact.get('/logs/stream/')).status).toBe(404);
      expect((await exact.get('/LIVEZ')).status).toBe(404);
    });
  });

  describe('request ids', () => {
    it('When the caller sends x-request-id, then it is echoed, logged and propagated', async () => {
      const res = await http.get('/whoami').set('x-request-id', 'abc-123');
      expect(res.headers['x-request-id']).toBe('abc-123');
      expect(res.body.data).toEqual({ 'x-request-id': 'abc-123' });
      const handlerLine = built.logs.lines.find((l) => l.msg === 'handling whoami');
      expect(handlerLine?.reqId).toBe('abc-123');
      const accessLine = built.logs.lines.find(
        (l) => l.msg === 'request completed' && l.reqId === 'abc-123',
      );
      expect(accessLine).toBeDefined();
    });

    it('When the request has a JSON body, then the handler after the body is read still carries the request id', async () => {
      const res = await http.post('/whoami').set('x-request-id', 'with-body-1').send({ a: 1 });
      expect(res.body.data).toEqual({ 'x-request-id': 'with-body-1' });
      const handlerLine = built.logs.lines.find((l) => l.msg === 'handling whoami with a body');
      expect(handlerLine?.reqId).toBe('with-body-1');
    });

    it('When the caller sends none (or a hostile one), then a fresh id is made', async () => {
      const none = await http.get('/whoami');
      expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const hostile = await http.get('/whoami').set('x-request-id', 'a\tb'.repeat(100));
      expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('security headers', () => {
    it("When a response is sent, then it carries exactly helmet's headers, as helmet itself sets them", async () => {
      const plain = express();
      plain.use(helmet());
      plain.get('/whoami', (_req, res) => {
        res.json({});
      });
      const ours = await http.get('/whoami');
      const helmets = await request(plain).get('/whoami');
      const securityHeaders = (headers: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(headers).filter(
            ([name]) => !/^(date|x-request-id|content-|etag|connection|keep-alive)/.test(name),
          ),
        );
      expect(Object.keys(securityHeaders(helmets.headers)).length).toBeGreaterThan(10);
      expect(securityHeaders(ours.headers)).toEqual(securityHeaders(helmets.headers));
    });
  });

  describe('/metrics', () => {
    it('When a request is served, then the duration histogram counts it by route and status', async () => {
      await http.post('/echo').send({ name: 'metered' });
      const res = await http.get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(
        /http_request_duration_seconds_count\{service="kit-test",method="POST",route="\/echo",status_code="201"\} [1-9]/,
      );
      expect(res.text).toContain('process_cpu_user_seconds_total');
    });

    it('When an unknown path is hit, then it is counted under one "unmatched" label', async () => {
      await http.get('/random-path-123');
      const res = await http.get('/metrics');
      expect(res.text).toContain('route="unmatched"');
      expect(res.text).not.toContain('random-path-123');
    });
  });
});

describe('kit health and shutdown', () => {
  let server: HttpServer;

  afterEach(() => server?.stop());

  it('When a dependency check fails, then /readyz is 503 naming it while /livez stays 200', async () => {
    const built = buildServer(captureLogs('kit-test', 'silent'));
    server = built.server;
    built.health.addCheck('database', () => Promise.reject(new Error('connection refused')));
    const http = request(server.app);
    const ready = await http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.data.checks.database).toMatchObject({
      ok: false,
      error: 'connection refused',
    });
    expect((await http.get('/livez')).status).toBe(200);
  });

  it('When shutdown starts, then readiness turns false before the listener closes', async () => {
    const { logger } = captureLogs('kit-test', 'silent');
    const built = buildServer(captureLogs('kit-test', 'silent'));
    server = built.server;
    const lifecycle = new Lifecycle({ logger, health: built.health, delayMs: 300 });
    const address = await server.start(0);
    const closed: string[] = [];
    lifecycle.onShutdown('database', () => {
      closed.push('database');
    });
    lifecycle.onShutdown('http', async () => {
      await server.stop();
      closed.push('http');
    });

    const before = await fetch(`${address.url}/readyz`);
    expect(before.status).toBe(200);

    const shutdown = lifecycle.shutdown('test');
    const during = await fetch(`${address.url}/readyz`);
    expect(during.status).toBe(503);
    expect(((await during.json()) as { data: { shuttingDown: boolean } }).data.shuttingDown).toBe(
      true,
    );
    expect(closed).toEqual([]);

    await shutdown;
    expect(closed).toEqual(['http', 'database']);
    await expect(fetch(`${address.url}/livez`)).rejects.toThrow();
  });

  it('When a request is in flight at shutdown, then it completes before the server closes', async () => {
    const health = new Health();
    const { logger } = captureLogs('kit-test', 'silent');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    server = createHttpServer({
      logger,
      health,
      metrics: createMetrics('kit-test'),
      routes: (app) =>
        app.get('/slow', async (_req, res) => {
          await gate;
          res.json({ error: false, message: 'done' });
        }),
    });
    const address = await server.start(0);
    const inFlight = fetch(`${address.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    const stopping = server.stop();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    await stopping;
  });
});
