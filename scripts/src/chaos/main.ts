/**
 * scripts/chaos: faults injected into a real mesh, and what they cost, measured.
 *
 *   scripts/chaos                    every scenario, full length (≈ 10 minutes)
 *   scripts/chaos --scenario 3       one scenario (comma list for several)
 *   scripts/chaos --short            every scenario, short (the version scripts/test runs)
 *   scripts/chaos --fuzz 10000       the API fuzzer, 10,000 requests (with --seed N to repeat one)
 *
 * Loopback only; every loop is bounded in count and time. Exits non-zero when a scenario loses
 * or duplicates anything, the mesh is not ready again in time, or the fuzzer saw a 5xx or no answer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startChaosEnvironment, type ChaosEnvironment } from './environment';
import { fuzzBroker, type FuzzReport } from './fuzz';
import { pipelinesDrain } from './probe';
import { printFuzz, printTable } from './report';
import { runScenario, type ScenarioResult } from './run-scenario';
import { SCENARIOS, type Scenario } from './scenarios';

const root = path.resolve(__dirname, '..', '..', '..');

/** One client IP carries every chaos client: limits meant for one person would throttle them. */
export const CHAOS_ENV: Record<string, string> = {
  RATE_LIMIT_POINTS: '1000000000',
  AUTH_RATE_LIMIT_POINTS: '1000000000',
  MAIL_QUOTA_PER_MINUTE: '1000000',
  MAIL_QUOTA_PER_DAY: '100000000',
};

export interface ChaosOptions {
  scenarios: number[];
  short: boolean;
  fuzz: number;
  seed?: number;
  verbose: boolean;
  say?: (line: string) => void;
}

export interface ChaosReport {
  scenarios: ScenarioResult[];
  fuzz?: FuzzReport & { readyAfter: boolean; drained: boolean };
  pass: boolean;
}

function parseArgs(argv: string[]): ChaosOptions {
  const options: ChaosOptions = { scenarios: [], short: false, fuzz: 0, verbose: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--scenario') options.scenarios.push(...value().split(',').map(Number));
    else if (arg === '--short') options.short = true;
    else if (arg === '--fuzz') options.fuzz = Number(value());
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'usage: scripts/chaos [--scenario N[,N…]] [--short] [--fuzz COUNT [--seed N]] [--verbose]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  const known = new Set(SCENARIOS.map((s) => s.id));
  const bad = options.scenarios.filter((n) => !known.has(n));
  if (bad.length) throw new Error(`no scenario ${bad.join(', ')} (1–${SCENARIOS.length})`);
  if (!Number.isInteger(options.fuzz) || options.fuzz < 0 || options.fuzz > 100_000) {
    throw new Error('--fuzz takes a count from 0 to 100000');
  }
  // No --scenario: all of them, unless only the fuzzer was asked for.
  if (!options.scenarios.length && (!options.fuzz || options.short)) options.scenarios = [...known];
  return options;
}

async function login(env: ChaosEnvironment): Promise<string> {
  const res = await fetch(`${env.brokerUrl}/handle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'auth', auth: env.settings.seedAdmin }),
  });
  const body = (await res.json()) as { data?: { token?: { access_token?: string } } };
  const token = body.data?.token?.access_token;
  if (!token) throw new Error(`login failed: ${res.status}`);
  return token;
}

/** Runs the chosen scenarios (grouped by the environment they need) and the fuzzer. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const say = options.say ?? ((line: string) => console.log(line));
  const output = options.verbose ? say : undefined;
  const chosen = SCENARIOS.filter((s) => options.scenarios.includes(s.id));
  const groups: {
    key: string;
    privateRabbit: boolean;
    privatePostgres: boolean;
    list: Scenario[];
  }[] = [];
  for (const s of chosen) {
    const key = `${Boolean(s.privateRabbit)}/${Boolean(s.privatePostgres)}`;
    let group = groups.find((g) => g.key === key);
    if (!group) {
      group = {
        key,
        privateRabbit: Boolean(s.privateRabbit),
        privatePostgres: Boolean(s.privatePostgres),
        list: [],
      };
      groups.push(group);
    }
    group.list.push(s);
  }
  // The fuzzer shares the plain environment.
  if (options.fuzz && !groups.some((g) => g.key === 'false/false')) {
    groups.push({ key: 'false/false', privateRabbit: false, privatePostgres: false, list: [] });
  }

  const results: ScenarioResult[] = [];
  let fuzz: ChaosReport['fuzz'];
  for (const group of groups) {
    say(
      `starting a mesh${group.privateRabbit ? ' with a RabbitMQ node of its own' : ''}` +
        `${group.privatePostgres ? ' with a PostgreSQL server of its own' : ''}…`,
    );
    const env = await startChaosEnvironment({
      root,
      privateRabbit: group.privateRabbit,
      privatePostgres: group.privatePostgres,
      extraEnv: CHAOS_ENV,
      output,
    });
    try {
      for (const scenario of group.list) {
        const result = await runScenario(env, scenario, options.short, say);
        say(
          `scenario ${result.id}: ${result.pass ? 'PASS' : 'FAIL'} — accepted ${result.accepted}, ` +
            `stored ${result.stored}, lost ${result.lost}, duplicated ${result.duplicated}`,
        );
        if (!result.pass && options.verbose) say(env.recentOutput());
        results.push(result);
      }
      if (options.fuzz && group.key === 'false/false') {
        say(`fuzzing the broker with ${options.fuzz} requests…`);
        const report = await fuzzBroker({
          brokerUrl: env.brokerUrl,
          login: () => login(env),
          count: options.fuzz,
          seed: options.seed,
        });
        let readyAfter = false;
        for (let i = 0; i < 60 && !readyAfter; i += 1) {
          readyAfter = await env.allReady();
          if (!readyAfter) await new Promise((r) => setTimeout(r, 500));
        }
        const drained = (await pipelinesDrain(env, await login(env))).ok;
        fuzz = { ...report, readyAfter, drained };
      }
    } finally {
      await env.teardown();
    }
  }
  const pass =
    results.every((r) => r.pass) &&
    (!fuzz ||
      (fuzz.serverErrors === 0 && fuzz.unanswered === 0 && fuzz.readyAfter && fuzz.drained));
  return { scenarios: results, ...(fuzz ? { fuzz } : {}), pass };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const report = await runChaos(options);
  console.log('');
  if (report.scenarios.length) printTable(report.scenarios);
  if (report.fuzz) printFuzz(report.fuzz);
  const dir = path.join(root, 'scripts', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(
    `\n${report.pass ? 'PASS' : 'FAIL'} in ${Math.round((Date.now() - started) / 1000)} s — details in ${path.relative(root, file)}`,
  );
  process.exitCode = report.pass ? 0 : 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
}
