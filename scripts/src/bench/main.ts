/**
 * scripts/bench: drives the broker with autocannon at fixed connection counts and durations
 * (loopback only, bounded in time), next to a naive express → gRPC → PostgreSQL baseline measured
 * in the same run and a Moleculer peer (the framework people would pick instead: see peer/), and
 * measures how fast the listener drains events into the store.
 *
 *   scripts/bench [--duration 8] [--connections 10,50,200] [--events 20000]
 *                 [--scenarios baseline,peer,log,event,auth,mail,mail-smtp-down,burst,drain,mtls,tracing]
 *                 [--profile DIR] [--tracing-connections 50] [--tracing-rounds 2]
 *                 [--tls] [--tracing off|RATIO] [--rate N]
 *
 * The mesh runs with tracing off for every scenario but `tracing`, which restarts it for each of
 * OpenTelemetry off, sampling 10 % and sampling 100 % (exported to the logger), in turns, and runs
 * `log` and `event` on each, so the cost of tracing is measured in one run on one machine state.
 *
 * The main mesh runs plaintext between the services; `mtls` then starts a second mesh with mutual
 * TLS between them and runs `log` and `event` at 50 connections, so the cost of TLS inside the
 * mesh stands beside the plaintext rows of the same run.
 *
 * --profile writes a V8 CPU profile of every mesh process into DIR when it exits (open them in
 * Chrome DevTools, or summarise with scripts/src/bench/profile-summary.ts), and for every row of
 * the main mesh a summary of the broker's and the logger's profiles over that row's run alone
 * (DIR/summary-<row>.txt: self time by package and function, in µs per request).
 *
 * --tls runs the main mesh with mutual TLS between the services and --tracing RATIO with
 * OpenTelemetry on at that sampling ratio (exported to the logger), as scripts/up runs it by
 * default (`--tls --tracing 1`); by default the main mesh is plaintext with tracing off.
 */
import { createWriteStream, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createEvent } from '@micromesh/contracts';
import { AmqpConnection, EventPublisher, createLogger } from '@micromesh/kit';
import { processCpuSeconds } from '@micromesh/kit/testing';
import { countStored, waitUntilStored } from './drain';
import { monotonicMicros, summariseProfile } from './profile-summary';
import { runLoad, type LoadResult } from './load';
import { cpuMillis } from './process-cpu';
import { formatTable, type ScenarioResult } from './report';
import { startBenchEnvironment, type BenchEnvironment } from './setup';
import type { ServiceName } from '../mesh/settings';

const root = path.resolve(__dirname, '..', '..', '..');
const ALL = [
  'baseline',
  'peer',
  'log',
  'event',
  'auth',
  'mail',
  'mail-smtp-down',
  'burst',
  'drain',
  'mtls',
  'tracing',
] as const;
/** Connection count of the `event` row measured with the listener consuming as it goes. */
const EVENT_CONSUMING_CONNECTIONS = 50;
/** Connection count of the mTLS-on rows (beside the plaintext rows at the same count). */
const MTLS_CONNECTIONS = 50;
const TRACING_OFF = { enabled: false, ratio: 0 };

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10,50,200' },
    events: { type: 'string', default: '20000' },
    scenarios: { type: 'string', default: ALL.join(',') },
    profile: { type: 'string' },
    'tracing-connections': { type: 'string', default: '50' },
    'tracing-rounds': { type: 'string', default: '2' },
    tls: { type: 'boolean', default: false },
    tracing: { type: 'string', default: 'off' },
    rate: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    'node-arg': { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`scripts/bench [--duration 8] [--connections 10,50,200] [--events 20000]
              [--scenarios ${ALL.join(',')}]
              [--profile DIR] [--tracing-connections 50] [--tracing-rounds 2]
              [--tls] [--tracing off|RATIO] [--rate N] [--env K=V]... [--node-arg FLAG]...
  --rate N            the rows offer N req/s (compare builds at equal throughput)
  --env K=V           an extra variable for every service of the main mesh (compare settings)
  --node-arg FLAG     an extra node flag for every service of the main mesh
  --tls --tracing 1   the main mesh as scripts/up runs it (mutual TLS, every trace kept)
  --profile DIR       V8 CPU profiles of the mesh, and DIR/summary-<row>.txt per row
See scripts/src/bench/main.ts and the README's Performance section.
`);
  process.exit(0);
}
/** The main mesh's tracing: off, or on at a sampling ratio. */
const mainTracing =
  values.tracing === 'off'
    ? TRACING_OFF
    : { enabled: true, ratio: Math.min(1, Math.max(0, Number(values.tracing))) };
if (values.tracing !== 'off' && !Number.isFinite(Number(values.tracing))) {
  throw new Error(`--tracing must be off or a ratio from 0 to 1, got ${values.tracing}`);
}
const tracingConnections = Math.min(1000, Math.max(1, Number(values['tracing-connections'])));
const tracingRounds = Math.min(5, Math.max(1, Number(values['tracing-rounds'])));
const durationSeconds = Math.min(60, Math.max(1, Number(values.duration)));
const connectionCounts = values.connections
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && n <= 1000);
const eventCount = Math.min(200_000, Math.max(100, Number(values.events)));
/**
 * --rate N: the rows offer N requests per second instead of as many as they can, so two builds
 * are compared at the same throughput (CPU per request depends on it: batches grow with load).
 */
const offeredRate = values.rate ? Math.min(100_000, Math.max(1, Number(values.rate))) : undefined;
const scenarios = new Set(values.scenarios.split(',').map((s) => s.trim()));
const bcryptCost = Number(process.env.AUTH_BCRYPT_COST || 12);

const runId = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = path.join(root, 'scripts', 'results');
mkdirSync(resultsDir, { recursive: true });
const meshLog = createWriteStream(path.join(resultsDir, `bench-${runId}.mesh.log`));

const serviceLogs = new Map<string, Writable>();
/**
 * Each mesh service's output as it comes, into a file of its own (`bench-<run>.<service>.log`):
 * unparsed, so the bench process (autocannon's) spends no CPU re-formatting access-log lines.
 */
function serviceLog(prefix: string): (service: ServiceName) => Writable {
  return (service) => {
    const name = `${prefix}${service}`;
    let stream = serviceLogs.get(name);
    if (!stream) {
      stream = createWriteStream(path.join(resultsDir, `bench-${runId}.${name}.log`));
      serviceLogs.set(name, stream);
    }
    return stream;
  };
}

function endLogs(): void {
  meshLog.end();
  for (const stream of serviceLogs.values()) stream.end();
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Logs in as the seed admin; a 503 (auth's hashing gate full on a busy machine) is retried. */
async function login(env: BenchEnvironment): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await loginOnce(env);
    } catch (err) {
      if (attempt >= 5 || !(err instanceof Error && err.message.includes(' 503 '))) throw err;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

async function loginOnce(env: BenchEnvironment): Promise<string> {
  const res = await fetch(`${env.brokerUrl}/handle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      action: 'auth',
      auth: { email: env.settings.seedAdmin.email, password: env.settings.seedAdmin.password },
    }),
  });
  const body = (await res.json()) as { data?: { token?: { access_token?: string } } };
  const token = body.data?.token?.access_token;
  if (res.status !== 202 || !token)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return token;
}

interface Drain {
  events: number;
  publishSeconds: number;
  drainSeconds: number;
  eventsPerSecond: number;
  stored: number;
  distinct: number;
  exactlyOnce: boolean;
}

/** Pre-loads the listener's queue with the listener stopped, then times the drain into the store. */
async function measureDrain(env: BenchEnvironment): Promise<Drain> {
  const name = `bench-drain-${runId}`;
  await env.mesh.stopService('listener');
  const connection = new AmqpConnection({
    url: env.amqpUrl,
    logger: createLogger({ service: 'bench', level: 'warn' }),
    name: 'bench-drain',
  });
  const publisher = new EventPublisher({
    connection,
    maxInFlight: 5_000,
    publishTimeoutMs: 30_000,
  });
  connection.start();
  await connection.waitUntilConnected(10_000);
  const publishStart = performance.now();
  const window = 2_000;
  for (let sent = 0; sent < eventCount; sent += window) {
    const batch = Math.min(window, eventCount - sent);
    await Promise.all(
      Array.from({ length: batch }, () =>
        publisher.publish(createEvent({ name, data: 'drain', service: 'bench', level: 'INFO' })),
      ),
    );
  }
  const publishSeconds = (performance.now() - publishStart) / 1000;
  await publisher.close();
  await connection.close();

  const drainStart = performance.now();
  await env.mesh.startService('listener');
  const { count, at } = await waitUntilStored(env.logsDatabaseUrl, name, eventCount, 120_000);
  const drainSeconds = (at - drainStart) / 1000;
  // A little longer, so a late duplicate would show up in the count.
  await new Promise((r) => setTimeout(r, 1_000));
  const final = await countStored(env.logsDatabaseUrl, name);
  return {
    events: eventCount,
    publishSeconds: Number(publishSeconds.toFixed(2)),
    drainSeconds: Number(drainSeconds.toFixed(2)),
    eventsPerSecond: Math.round(count.total / drainSeconds),
    stored: final.total,
    distinct: final.distinct,
    exactlyOnce: final.total === eventCount && final.distinct === eventCount,
  };
}

/** --env K=V: extra variables for the main mesh's services (e.g. LOG_BATCH_CONCURRENCY=1). */
const extraEnv = Object.fromEntries(
  values.env.map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--env wants KEY=VALUE, got ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);

const BENCH_ENV = {
  // The limiters still run on every request; their budgets are raised because one benchmark
  // client (one IP, one account) would otherwise be throttled, as a real attacker would be.
  RATE_LIMIT_POINTS: '1000000000',
  AUTH_RATE_LIMIT_POINTS: '1000000000',
  AUTH_LOGIN_MAX_FAILS_PER_EMAIL_IP: '1000000000',
  AUTH_LOGIN_MAX_FAILS_PER_IP: '1000000000',
  MAIL_QUOTA_PER_MINUTE: '1000000000',
  MAIL_QUOTA_PER_DAY: '1000000000',
};

/** log and event with mutual TLS on, each row beside the plaintext row at the same count. */
async function measureMutualTls(
  results: ScenarioResult[],
  extra: Record<string, unknown>,
): Promise<void> {
  const env = await startBenchEnvironment({
    root,
    bcryptCost,
    brokerEnv: BENCH_ENV,
    nodeArgs: [],
    peer: false,
    tracing: TRACING_OFF,
    output: (line) => meshLog.write(`[mtls] ${line}\n`),
    rawOutput: serviceLog('mtls.'),
    tls: true,
  });
  const comparison: Record<string, unknown> = {};
  try {
    const auth = { authorization: `Bearer ${await login(env)}` };
    const handle = `${env.brokerUrl}/handle`;
    const specs = {
      log: { action: 'log', log: { name: 'bench', data: 'log entry' } },
      event: {
        action: 'event',
        event: { name: `bench-mtls-${runId}`, data: 'event', level: 'INFO' },
      },
    };
    for (const [name, body] of Object.entries(specs)) {
      const spec = { url: handle, headers: auth, body };
      await runLoad({ ...spec, connections: 10, durationSeconds: 2 });
      const result = await runLoad({ ...spec, connections: MTLS_CONNECTIONS, durationSeconds });
      const plain = results.find((r) => r.scenario === name && r.connections === MTLS_CONNECTIONS);
      const base = results.find(
        (r) => r.scenario === 'baseline' && r.connections === MTLS_CONNECTIONS,
      );
      results.push({
        scenario: `${name} (mTLS)`,
        ...result,
        ...(base ? { ratio: result.reqPerSec / base.reqPerSec } : {}),
      });
      comparison[name] = {
        plaintext: plain ? { reqPerSec: plain.reqPerSec, p99: plain.p99 } : null,
        mtls: { reqPerSec: result.reqPerSec, p99: result.p99 },
        throughputRatio: plain ? Number((result.reqPerSec / plain.reqPerSec).toFixed(3)) : null,
      };
      say(`  ${name} (mTLS) @${MTLS_CONNECTIONS}: ${result.reqPerSec} req/s, p99 ${result.p99} ms`);
    }
  } finally {
    await env.teardown();
  }
  extra.mtls = comparison;
}

type Spec = { url: string; body: unknown; headers?: Record<string, string> };

/**
 * `log` and `event` with OpenTelemetry off, sampling 10 % and sampling 100 % (every span exported
 * to the logger and stored in PostgreSQL), each on a freshly started mesh on the same stores. The
 * modes take turns for `tracingRounds` rounds (on a shared machine a single run per mode is at the
 * mercy of whatever else runs), and besides req/s each run measures the CPU the mesh's processes
 * spent per request (from /proc), which the machine's other load barely moves.
 */
async function measureTracing(
  env: BenchEnvironment,
  specs: Record<string, Spec>,
): Promise<Record<string, unknown>> {
  const modes = [
    { label: 'off', tracing: TRACING_OFF },
    { label: '10 %', tracing: { enabled: true, ratio: 0.1 } },
    { label: '100 %', tracing: { enabled: true, ratio: 1 } },
  ];
  const rows: Record<string, unknown>[] = [];
  for (let round = 1; round <= tracingRounds; round++) {
    for (const mode of modes) {
      say(`· tracing ${mode.label} (round ${round}): restarting the mesh`);
      await env.relaunch(mode.tracing);
      const token = await login(env);
      for (const name of ['log', 'event'] as const) {
        const spec = { ...specs[name]!, headers: { authorization: `Bearer ${token}` } };
        await runLoad({ ...spec, connections: 10, durationSeconds: 2 });
        const before = await meshCpu(env);
        const result = await runLoad({ ...spec, connections: tracingConnections, durationSeconds });
        const after = await meshCpu(env);
        const cpuUsPerRequest = Object.fromEntries(
          Object.entries(after).map(([service, seconds]) => [
            service,
            Math.round(((seconds - (before[service] ?? 0)) * 1e6) / Math.max(1, result.requests)),
          ]),
        );
        const totalCpuUs = Object.values(cpuUsPerRequest).reduce((a, b) => a + b, 0);
        const dropped = await droppedSpans(env);
        rows.push({
          scenario: name,
          tracing: mode.label,
          round,
          ...result,
          cpuUsPerRequest,
          totalCpuUs,
          droppedSpans: dropped,
        });
        say(
          `  ${name} tracing ${mode.label} @${tracingConnections}: ${result.reqPerSec} req/s, p99 ${result.p99} ms, mesh CPU ${totalCpuUs} µs/request (broker ${cpuUsPerRequest.broker}, logger ${cpuUsPerRequest.logger}), spans dropped ${dropped}`,
        );
      }
    }
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const of = (name: string, label: string, key: string) =>
    median(
      rows.filter((r) => r.scenario === name && r.tracing === label).map((r) => Number(r[key])),
    );
  const summary: Record<string, unknown> = {
    connections: tracingConnections,
    rounds: tracingRounds,
    rows,
  };
  for (const name of ['log', 'event']) {
    const off = of(name, 'off', 'reqPerSec');
    const offCpu = of(name, 'off', 'totalCpuUs');
    summary[name] = Object.fromEntries(
      modes.map((m) => [
        m.label,
        {
          medianReqPerSec: of(name, m.label, 'reqPerSec'),
          percentOfOff: Math.round((of(name, m.label, 'reqPerSec') / off) * 1000) / 10,
          medianCpuUsPerRequest: of(name, m.label, 'totalCpuUs'),
          cpuPercentOfOff: Math.round((of(name, m.label, 'totalCpuUs') / offCpu) * 1000) / 10,
        },
      ]),
    );
    say(`  ${name}: ${JSON.stringify(summary[name])}`);
  }
  await env.relaunch(mainTracing);
  return summary;
}

interface ProfiledRun {
  row: string;
  window: { fromUs: number; toUs: number };
  requests: number;
  pids: Record<string, number>;
}

function meshPids(env: BenchEnvironment, names: ServiceName[]): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const name of names) {
    const pid = env.mesh.process(name)?.child.pid;
    if (pid) pids[name] = pid;
  }
  return pids;
}

/**
 * For every profiled row, the broker's and logger's main-thread profiles over that row's run
 * alone, per request (the profiles are written when the processes exit, at teardown).
 */
function writeProfileSummaries(dir: string, runs: ProfiledRun[]): void {
  const files = readdirSync(dir);
  for (const run of runs) {
    const parts = Object.entries(run.pids).map(([service, pid]) => {
      const file = files.find((f) => f.startsWith('CPU.') && f.includes(`.${pid}.0.`));
      if (!file) return `== ${service} (pid ${pid}): no profile found`;
      return `== ${service} (${file})\n${summariseProfile(path.join(dir, file), {
        top: 40,
        window: run.window,
        requests: run.requests,
      })}`;
    });
    const out = path.join(dir, `summary-${run.row.replace(/[^a-z0-9@-]+/gi, '_')}.txt`);
    writeFileSync(
      out,
      `${run.row}: ${run.requests} requests, window ${run.window.fromUs}-${run.window.toUs} µs\n\n${parts.join('\n\n')}\n`,
    );
    say(`profile summary: ${out}`);
  }
}

/** The mesh's CPU (every service's, from /proc) between two readings, in µs per request. */
function cpuUsPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number,
): number {
  const seconds = Object.entries(after).reduce(
    (sum, [service, s]) => sum + s - (before[service] ?? 0),
    0,
  );
  return Math.round((seconds * 1e6) / requests);
}

/** CPU seconds each mesh service has used so far. */
async function meshCpu(env: BenchEnvironment): Promise<Record<string, number>> {
  const entries = await Promise.all(
    env.mesh.specs.map(async (spec) => {
      const pid = env.mesh.process(spec.name)?.child.pid;
      return [spec.name, pid ? await processCpuSeconds(pid).catch(() => 0) : 0] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Spans the broker gave up (queue full or export failed), from its /metrics. */
async function droppedSpans(env: BenchEnvironment): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${env.settings.ports.brokerMetrics}/metrics`);
  const text = await res.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('micromesh_trace_spans_dropped_total'))
      total += Number(line.split(' ').at(-1));
  }
  return total;
}

async function main(): Promise<void> {
  say(`micromesh bench: ${durationSeconds}s per run at ${connectionCounts.join('/')} connections`);
  const started = performance.now();
  const env = await startBenchEnvironment({
    root,
    bcryptCost,
    brokerEnv: { ...BENCH_ENV, ...extraEnv },
    peer: scenarios.has('peer'),
    nodeArgs: [
      ...values['node-arg'],
      ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : []),
    ],
    tracing: mainTracing,
    tls: values.tls,
    output: (line) => meshLog.write(`${line}\n`),
    rawOutput: serviceLog(''),
  });
  const profiled: ProfiledRun[] = [];
  const results: ScenarioResult[] = [];
  const extra: Record<string, unknown> = {};
  try {
    const token = await login(env);
    const auth = { authorization: `Bearer ${token}` };
    const handle = `${env.brokerUrl}/handle`;
    const specs: Record<string, { url: string; body: unknown; headers?: Record<string, string> }> =
      {
        baseline: {
          url: `${env.baselineUrl}/log`,
          body: { name: 'bench', data: 'baseline entry' },
        },
        'peer log': {
          url: `${env.peerUrl}/handle`,
          headers: auth,
          body: { action: 'log', log: { name: 'bench', data: 'log entry' } },
        },
        'peer event': {
          url: `${env.peerUrl}/handle`,
          headers: auth,
          body: {
            action: 'event',
            event: { name: `bench-event-${runId}`, data: 'event', level: 'INFO' },
          },
        },
        log: {
          url: handle,
          headers: auth,
          body: { action: 'log', log: { name: 'bench', data: 'log entry' } },
        },
        event: {
          url: handle,
          headers: auth,
          body: {
            action: 'event',
            event: { name: `bench-event-${runId}`, data: 'event', level: 'INFO' },
          },
        },
        auth: {
          url: handle,
          body: { action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } },
        },
        mail: {
          url: handle,
          headers: auth,
          body: {
            action: 'mail',
            mail: {
              to: 'bench@example.com',
              subject: 'bench',
              message: 'Hello from the benchmark',
            },
          },
        },
      };
    if (scenarios.has('auth')) {
      // Before any flood (an overload opens the broker's circuit to auth for a while): what a
      // bcrypt-bound path delivers when offered no more than it can take (its bcrypt slots + a
      // little queue). At the fixed connection counts below it mostly sheds load, by design.
      const capacity = await runLoad({ ...specs.auth!, connections: 2, durationSeconds });
      results.push({ scenario: 'auth capacity', ...capacity });
      say(`  auth capacity @2: ${capacity.reqPerSec} logins/s, p99 ${capacity.p99} ms`);
    }

    // Each row of `log` and `event` is set against the peer doing the same work, and every row
    // against the naive baseline, at the same connection count.
    const peerOf: Record<string, string> = { log: 'peer log', event: 'peer event' };
    const rows = [
      ['baseline', 'baseline'],
      ['peer', 'peer log'],
      ['peer', 'peer event'],
      ['log', 'log'],
      ['event', 'event'],
      ['auth', 'auth'],
      ['mail', 'mail'],
    ] as const;
    // The process that answers each row: its CPU per request is the gateway's cost.
    const gatewayPid = (name: string) =>
      name === 'baseline'
        ? env.baselineGatewayPid
        : name.startsWith('peer')
          ? env.peerGatewayPid
          : env.mesh.process('broker')?.child.pid;
    /** One measured run of a row: req/s and latency, the gateway's and the mesh's CPU. */
    const measureRow = async (name: string, connections: number, label = name) => {
      const spec = specs[name]!;
      const pid = gatewayPid(name);
      const ours = name !== 'baseline' && !name.startsWith('peer');
      const meshBefore = ours ? await meshCpu(env) : undefined;
      const cpuBefore = cpuMillis(pid);
      const fromUs = monotonicMicros();
      const result = await runLoad({ ...spec, connections, durationSeconds, rate: offeredRate });
      const toUs = monotonicMicros();
      const cpuAfter = cpuMillis(pid);
      const meshAfter = meshBefore ? await meshCpu(env) : undefined;
      if (name === 'event') eventsAccepted += result.requests - result.non2xx;
      if (values.profile && ours) {
        profiled.push({
          row: `${label}@${connections}`,
          window: { fromUs, toUs },
          requests: result.requests,
          pids: meshPids(env, ['broker', 'logger']),
        });
      }
      const at = (row: string | undefined) =>
        results.find((r) => r.scenario === row && r.connections === connections);
      const base = name === 'baseline' ? undefined : at('baseline');
      const peer = label === name ? at(peerOf[name]) : undefined;
      results.push({
        scenario: label,
        ...result,
        ...(base ? { ratio: result.reqPerSec / base.reqPerSec } : {}),
        ...(peer ? { peerRatio: result.reqPerSec / peer.reqPerSec } : {}),
        ...(cpuBefore !== undefined && cpuAfter !== undefined && result.requests > 0
          ? { gatewayCpuMsPerRequest: (cpuAfter - cpuBefore) / result.requests }
          : {}),
        ...(meshBefore && meshAfter && result.requests > 0
          ? { meshCpuUsPerRequest: cpuUsPerRequest(meshBefore, meshAfter, result.requests) }
          : {}),
      });
      say(`  ${label} @${connections}: ${result.reqPerSec} req/s, p99 ${result.p99} ms`);
    };
    let eventsAccepted = 0;
    for (const [scenario, name] of rows) {
      if (!scenarios.has(scenario)) continue;
      say(`· ${name}: warm-up`);
      const warmUp = await runLoad({ ...specs[name]!, connections: 10, durationSeconds: 2 });
      if (name === 'event') {
        eventsAccepted += warmUp.requests - warmUp.non2xx;
        // The whole mesh at work: the listener stores every event as it arrives, on the same
        // cores as the broker and RabbitMQ.
        await measureRow('event', EVENT_CONSUMING_CONNECTIONS, 'event (listener consuming)');
        // Set against the peer like for like: the peer's queue has no consumer, so during these
        // rows ours has none either. The listener then drains what they published, and every
        // accepted event is checked to be stored exactly once.
        await env.mesh.stopService('listener');
        try {
          for (const connections of connectionCounts) await measureRow(name, connections);
        } finally {
          await env.mesh.startService('listener');
        }
        continue;
      }
      for (const connections of connectionCounts) await measureRow(name, connections);
    }

    if (scenarios.has('mail-smtp-down')) {
      // The mail action only queues: with the SMTP server gone it must answer as fast as ever.
      say('· mail (SMTP down): the SMTP sink stopped, mail @50');
      await env.mesh.process('smtp')?.stop();
      const down = await runLoad({ ...specs.mail!, connections: 50, durationSeconds });
      results.push({ scenario: 'mail (SMTP down)', ...down });
      say(`  mail (SMTP down) @50: ${down.reqPerSec} req/s, p99 ${down.p99} ms`);
    }

    if (scenarios.has('burst')) {
      say('· burst: log @50 alone, during an auth burst @20, and beside logins at capacity @2');
      // Steady first (token verification keys fetched, revocation list loaded), as every row is.
      await runLoad({ ...specs.log!, connections: 10, durationSeconds: 2 });
      const alone = await runLoad({ ...specs.log!, connections: 50, durationSeconds });
      // Logins at auth's capacity (2 connections) are all hashed: this row measures bcrypt beside
      // `log`. Before the flood below: at 20 connections nearly every login is refused (auth's
      // gate is full; after each refusal auth gives, the broker answers the logins of the next
      // AUTH_OVERLOAD_HOLD_MS itself, at the end of that hold), so that row measures a flood of
      // 503s from a client that retries at once.
      const [hashing, logins] = await Promise.all([
        runLoad({ ...specs.log!, connections: 50, durationSeconds }),
        runLoad({ ...specs.auth!, connections: 2, durationSeconds }),
      ]);
      const [during, burst] = await Promise.all([
        runLoad({ ...specs.log!, connections: 50, durationSeconds }),
        runLoad({ ...specs.auth!, connections: 20, durationSeconds }),
      ]);
      const row = (scenario: string, r: LoadResult): ScenarioResult => ({ scenario, ...r });
      results.push(
        row('log alone', alone),
        row('log + auth burst', during),
        row('auth burst', burst),
        row('log + logins hashing', hashing),
        row('logins @2', logins),
      );
      extra.burst = {
        logAloneP99: alone.p99,
        logDuringBurstP99: during.p99,
        authBurstReqPerSec: burst.reqPerSec,
        logWhileHashingP99: hashing.p99,
        loginsPerSecond: (logins.requests - logins.non2xx) / logins.durationSeconds,
      };
    }

    if (scenarios.has('event')) {
      await waitUntilStored(env.logsDatabaseUrl, `bench-event-${runId}`, eventsAccepted, 120_000);
      // A little longer, so a late duplicate would show up in the count.
      await new Promise((r) => setTimeout(r, 1_000));
      const final = await countStored(env.logsDatabaseUrl, `bench-event-${runId}`);
      // autocannon stops with up to `connections` requests in flight per run: the broker took
      // them, but they are not counted as accepted, so the store may hold that many more.
      extra.eventActionStored = {
        accepted: eventsAccepted,
        ...final,
        cutOffInFlight: final.total - eventsAccepted,
        everyAcceptedStoredOnce: final.total >= eventsAccepted && final.distinct === final.total,
      };
      say(
        `  events accepted ${eventsAccepted}, stored ${final.total} (${final.distinct} distinct)`,
      );
    }

    if (scenarios.has('tracing')) {
      extra.tracing = await measureTracing(env, specs);
    }

    if (scenarios.has('drain')) {
      say(`· drain: ${eventCount} events pre-loaded, then the listener started`);
      const drain = await measureDrain(env);
      extra.drain = drain;
      say(
        `  drained ${drain.stored} in ${drain.drainSeconds}s = ${drain.eventsPerSecond} events/s; exactly once: ${drain.exactlyOnce}`,
      );
    }
  } finally {
    await env.teardown();
  }
  if (values.profile) writeProfileSummaries(path.resolve(values.profile), profiled);

  if (scenarios.has('mtls')) {
    say(
      `· mtls: a second mesh with mutual TLS between the services; log and event @${MTLS_CONNECTIONS}`,
    );
    try {
      await measureMutualTls(results, extra);
    } finally {
      endLogs();
    }
  } else {
    endLogs();
  }

  const table = formatTable(results);
  say(`\n${table}\n`);
  const summary = {
    runId,
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    settings: { durationSeconds, connectionCounts, eventCount, bcryptCost },
    results,
    ...extra,
    elapsedSeconds: Math.round((performance.now() - started) / 1000),
  };
  const file = path.join(resultsDir, `bench-${runId}.json`);
  writeFileSync(file, JSON.stringify(summary, null, 2));
  say(JSON.stringify(extra, null, 2));
  say(`results: ${path.relative(root, file)} (took ${summary.elapsedSeconds}s)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
