// Bounded write benchmark for the logger (run: pnpm --filter @micromesh/logger bench, after
// `npx tsc -b services/logger`). Starts the built logger as a child process on a fresh
// PostgreSQL database, measures over gRPC from this process, prints figures, drops the database.
//   1. WriteLogs with batches of 500 (sequential, then 4 concurrent callers)
//   2. WriteLog at concurrency 50 (single entries; the server coalesces them into multi-row inserts)
// Every loop is bounded by a count AND a time budget.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, freePort, startServiceProcess } from '@micromesh/kit/testing';
import { createLogServiceClient, logServiceCalls } from '@micromesh/proto';

const BATCH = 500;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 60);
const SINGLE_CALLS = Number(process.env.BENCH_SINGLE_CALLS ?? 20_000);
const CONCURRENCY = 50;
const TIME_BUDGET_MS = Number(process.env.BENCH_TIME_BUDGET_MS ?? 20_000);

const entry = (i) => ({
  name: 'bench',
  data: `benchmark entry ${i} with a little text to search`,
  level: i % 10 === 0 ? 'ERROR' : 'INFO',
  service: 'bench',
  event_id: randomUUID(),
  trace_id: randomUUID().replace(/-/g, ''),
  metadata: JSON.stringify({ i, tags: ['bench'] }),
  timestamp: new Date().toISOString(),
});

/** Runs `task` from `workers` parallel loops until `total` tasks or the time budget is spent. */
async function run(total, workers, task) {
  let next = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + TIME_BUDGET_MS;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total && performance.now() < deadline) {
        const i = next++;
        await task(i);
        done += 1;
      }
    }),
  );
  return { done, seconds: (performance.now() - started) / 1000 };
}

const db = await createTestDatabase('logger_bench');
const grpcPort = await freePort();
const logger = await startServiceProcess({
  service: 'logger',
  env: {
    LOG_STORE_URL: db.url,
    GRPC_PORT: String(grpcPort),
    LOG_LEVEL: 'warn',
    LOG_WRITE_MAX_IN_FLIGHT: process.env.LOG_WRITE_MAX_IN_FLIGHT,
    LOG_WRITE_BATCH_MAX: process.env.LOG_WRITE_BATCH_MAX,
  },
});
const client = createLogServiceClient(`127.0.0.1:${grpcPort}`);
const calls = logServiceCalls(client);
const deadline = { timeoutMs: 10_000 };
try {
  await calls.writeLog(entry(0), deadline); // warm-up: channel, plans

  const batches = () => Array.from({ length: BATCH }, (_, i) => entry(i));
  const seq = await run(BATCHES, 1, () => calls.writeLogs(batches(), deadline));
  const par = await run(BATCHES, 4, () => calls.writeLogs(batches(), deadline));
  const single = await run(SINGLE_CALLS, CONCURRENCY, (i) => calls.writeLog(entry(i), deadline));

  const rate = (n, s) => Math.round(n / s).toLocaleString('en-US');
  console.log(
    `WriteLogs, batches of ${BATCH}, 1 caller : ${rate(seq.done * BATCH, seq.seconds)} rows/s (${seq.done} batches in ${seq.seconds.toFixed(1)} s)`,
  );
  console.log(
    `WriteLogs, batches of ${BATCH}, 4 callers: ${rate(par.done * BATCH, par.seconds)} rows/s (${par.done} batches in ${par.seconds.toFixed(1)} s)`,
  );
  console.log(
    `WriteLog, concurrency ${CONCURRENCY}        : ${rate(single.done, single.seconds)} calls/s (${single.done} calls in ${single.seconds.toFixed(1)} s)`,
  );
} finally {
  client.close();
  await logger.stop();
  await db.drop();
}
