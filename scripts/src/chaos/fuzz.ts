import fc from 'fast-check';
import {
  arbitraryFor,
  mutate,
  nastyString,
  nastyValue,
  type OpenApiDoc,
} from './openapi-arbitraries';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  kind: 'valid' | 'mutated' | 'transport' | 'path';
}

export interface FuzzReport {
  sent: number;
  /** Requests fetch itself refused to send (e.g. a header it cannot encode); not counted. */
  unsendable: number;
  statuses: Record<string, number>;
  serverErrors: number;
  unanswered: number;
  /** The first failing requests, to reproduce them. */
  failures: { request: string; status: string }[];
  seed: number;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 8_000);
/** Percent-encodes every byte outside the unreserved set (lone surrogates become U+FFFD's bytes). */
const encodeSegment = (s: string) =>
  Array.from(Buffer.from(s, 'utf8'), (b) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).padStart(2, '0')}`,
  ).join('');

interface Operation {
  method: string;
  path: string;
  schema: unknown;
}

function operations(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!METHODS.includes(method.toUpperCase())) continue;
      ops.push({
        method: method.toUpperCase(),
        path,
        schema: op.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  return ops;
}

/** Fills `{param}` segments: plain words mostly, sometimes something nasty, always URL-encoded. */
const fillPath = (template: string) =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,12}$/) },
        { weight: 1, arbitrary: nastyString },
      ),
      {
        minLength: 4,
        maxLength: 4,
      },
    )
    .map((values) => {
      let i = 0;
      return template.replace(/\{[^}]+\}/g, () =>
        encodeSegment((values[i++] ?? 'x').slice(0, 2_000)),
      );
    });

function authHeaders(token: string) {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constant<Record<string, string>>({ authorization: `Bearer ${token}` }),
    },
    { weight: 2, arbitrary: fc.constant<Record<string, string>>({}) },
    {
      weight: 1,
      arbitrary: fc
        .string({ maxLength: 200 })
        .map((s) => ({ authorization: `Bearer ${headerSafe(s)}` })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }),
    },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 100 }).map((s) => ({ 'x-api-key': headerSafe(s) || 'k' })),
    },
  );
}

const extraHeaders = fc.record(
  {
    'idempotency-key': fc.oneof(fc.uuid(), nastyString.map(headerSafe)),
    'x-request-id': nastyString.map(headerSafe),
    traceparent: fc.oneof(
      fc.constant('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      nastyString.map(headerSafe),
    ),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', '::1', 'garbage', '10.0.0.1, 127.0.0.1'),
  },
  { requiredKeys: [] },
);

export function requestArbitrary(doc: OpenApiDoc, token: string): fc.Arbitrary<FuzzRequest> {
  const ops = operations(doc);
  const op = fc.constantFrom(...ops);
  const json = { 'content-type': 'application/json' };

  const valid = op.chain((o) =>
    fc
      .record({
        path: fillPath(o.path),
        body: arbitraryFor(doc, o.schema as never),
        auth: authHeaders(token),
        extra: extraHeaders,
      })
      .map(({ path, body, auth, extra }): FuzzRequest => ({
        kind: 'valid',
        method: o.method,
        path,
        headers: { ...json, ...auth, ...extra },
        body: o.method === 'GET' || o.method === 'HEAD' ? undefined : JSON.stringify(body),
      })),
  );

  const mutated = op.chain((o) =>
    fc
      .record({
        path: fillPath(o.path),
        body: arbitraryFor(doc, o.schema as never),
        choice: fc.nat(),
        replacement: nastyValue,
        extraKey: fc.oneof(
          fc.constantFrom('$where', 'a.b', '__proto__', 'constructor'),
          nastyString,
        ),
        auth: authHeaders(token),
      })
      .map(({ path, body, choice, replacement, extraKey, auth }): FuzzRequest => ({
        kind: 'mutated',
        method: o.method === 'GET' ? 'POST' : o.method,
        path,
        headers: { ...json, ...auth },
        body: JSON.stringify(mutate(body, choice, replacement, extraKey)) ?? 'null',
      })),
  );

  const transport = op.chain((o) =>
    fc
      .record({
        path: fillPath(o.path),
        auth: authHeaders(token),
        contentType: fc.constantFrom(
          'application/json',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
          '',
          'application/merge-patch+json',
        ),
        encoding: fc.constantFrom(undefined, 'gzip', 'br', 'identity', 'deflate, gzip'),
        body: fc.oneof(
          fc.constant('{"action":"log","log":{"name":"x","data":"y"'),
          fc.constant('[]'),
          fc.constant('null'),
          fc.constant('"just a string"'),
          fc
            .nat({ max: 100_000 })
            .map((d) => `{"action":"log","log":${'['.repeat(d)}${']'.repeat(d)}}`),
          fc
            .nat({ max: 60_000 })
            .map(
              (d) =>
                `{"action":"log","log":{"name":"x","data":"y","metadata":{"m":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}}}`,
            ),
          fc
            .nat({ max: 300_000 })
            .map((n) => `{"action":"event","event":{"name":"x","data":"${'y'.repeat(n)}"}}`),
          fc.string({ unit: 'binary', maxLength: 500 }),
          fc.constant('\u0000\u0001\u0002'),
        ),
      })
      .map(({ path, auth, contentType, encoding, body }): FuzzRequest => ({
        kind: 'transport',
        method: 'POST',
        path,
        headers: {
          ...auth,
          ...(contentType ? { 'content-type': contentType } : {}),
          ...(encoding ? { 'content-encoding': encoding } : {}),
        },
        body,
      })),
  );

  const paths = fc
    .record({
      method: fc.constantFrom(...METHODS),
      base: fc.constantFrom(
        ...ops.map((o) => o.path.replace(/\{[^}]+\}/g, 'x')),
        '/api',
        '/metrics',
        '/readyz',
      ),
      twist: fc.constantFrom(
        '/..',
        '/%2e%2e/metrics',
        '/%2e%2e%2f%2e%2e/etc/passwd',
        '//',
        '/%00',
        '/%ff%fe',
        '/.%2e/',
        '?limit=-1&limit=999999',
        '?cursor=%00&text=%ff',
        '?text=' + 'a'.repeat(5_000),
        '/' + 'a'.repeat(10_000),
        '#frag',
        '/;jsessionid=1',
      ),
      auth: authHeaders(token),
    })
    .map(({ method, base, twist, auth }): FuzzRequest => ({
      kind: 'path',
      method,
      path: base + twist,
      headers: { ...auth },
    }));

  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 4, arbitrary: mutated },
    { weight: 2, arbitrary: transport },
    { weight: 1, arbitrary: paths },
  );
}

const TOKEN_PLACEHOLDER = '\u0000token\u0000';

function withToken(r: FuzzRequest, token: string): FuzzRequest {
  const auth = r.headers.authorization;
  if (auth !== `Bearer ${TOKEN_PLACEHOLDER}`) return r;
  return { ...r, headers: { ...r.headers, authorization: `Bearer ${token}` } };
}

async function send(brokerUrl: string, r: FuzzRequest): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${brokerUrl}${r.path}`, {
      method: r.method,
      headers: r.headers,
      body: r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body,
      signal: AbortSignal.timeout(10_000),
      redirect: 'manual',
    });
  } catch (err) {
    if (err instanceof TypeError && !/fetch failed/.test(err.message)) return 'unsendable';
    return 'no answer';
  }
  // A live tail answers 200 and streams: the headers are the answer.
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    await res.body?.cancel();
    return String(res.status);
  }
  try {
    await res.arrayBuffer();
  } catch {
    return 'no answer';
  }
  return String(res.status);
}

/**
 * `count` requests generated from the broker's /openapi.json and from mutations of valid ones,
 * `concurrency` at a time. Every answer must be < 500; every request must be answered.
 */
export async function fuzzBroker(options: {
  brokerUrl: string;
  /** A fresh token: generated requests may revoke theirs (logout, a role change…). */
  login: () => Promise<string>;
  count: number;
  concurrency?: number;
  seed?: number;
}): Promise<FuzzReport> {
  const docRes = await fetch(`${options.brokerUrl}/openapi.json`);
  const doc = (await docRes.json()) as OpenApiDoc;
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const requests = fc.sample(requestArbitrary(doc, TOKEN_PLACEHOLDER), {
    numRuns: options.count,
    seed,
  });
  const report: FuzzReport = {
    sent: 0,
    unsendable: 0,
    statuses: {},
    serverErrors: 0,
    unanswered: 0,
    failures: [],
    seed,
  };
  let next = 0;
  let token = await options.login();
  let sinceLogin = 0;
  const worker = async () => {
    while (next < requests.length) {
      const generated = requests[next++];
      if (!generated) break;
      // A fuzzed logout or account change may end the session: sign in again now and then, so
      // most requests still reach past authentication.
      if (++sinceLogin >= 100) {
        sinceLogin = 0;
        token = await options.login();
      }
      const r = withToken(generated, token);
      const status = await send(options.brokerUrl, r);
      if (status === 'unsendable') {
        report.unsendable += 1;
        continue;
      }
      report.sent += 1;
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      const failed = status === 'no answer' || Number(status) >= 500;
      if (status === 'no answer') report.unanswered += 1;
      else if (failed) report.serverErrors += 1;
      if (failed && report.failures.length < 20) {
        report.failures.push({
          status,
          request: `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 300)} ${(r.body ?? '').slice(0, 300)}`,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return report;
}
