import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs a built service (`node services/<service>/dist/main.js`) as a real child process, for tests
 * that need to kill, stop or restart it (SIGKILL mid-stream, an outage of a dependency…), which an
 * in-process app cannot simulate.
 *
 * The service must be built first: `scripts/test` builds everything before jest; locally run
 * `npx tsc -b services/<service>` (tests map @micromesh/* to sources, services in child
 * processes do not).
 */
export interface ServiceProcessOptions {
  /** Directory name under services/ (logger, auth, listener, …). */
  service: string;
  /**
   * Where to run it from instead of the repository root, with `entry` (default dist/main.js)
   * relative to it: e.g. a production bundle made by `pnpm deploy`, run as `node dist/main.js`.
   */
  cwd?: string;
  entry?: string;
  /** Node flags before the entry (e.g. `--require @micromesh/kit/tracing`, as the image runs it). */
  nodeArgs?: string[];
  /**
   * The service's environment. The child does NOT inherit the test's environment (only PATH, HOME,
   * TMPDIR, LANG, TZ), so every variable the service needs must be given here. PORT is set by the
   * helper unless `port` is given.
   */
  env?: Record<string, string | undefined>;
  /** HTTP port; a free one by default. Kept across restart(). */
  port?: number;
  /** How long start/restart waits for GET /readyz → 200. */
  readyTimeoutMs?: number;
  /**
   * When false, start() resolves once /livez answers (for a service expected to start unready,
   * e.g. with a dependency down); readiness can then be awaited with waitUntilReady().
   */
  waitForReady?: boolean;
  /** Bytes of stdout+stderr kept for error messages and output(). */
  keepOutputBytes?: number;
}

export interface ServiceProcess {
  /** Base URL of the service's HTTP port, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  readonly port: number;
  /** The current child (a new one after restart()). */
  readonly process: ChildProcess;
  /** The tail of what the service printed (all runs), for debugging failed tests. */
  output(): string;
  /** Polls /readyz until 200. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Graceful: SIGTERM, wait for the exit (SIGKILL after `timeoutMs`). Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
  /** Sends a signal (SIGKILL by default) and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the service again (same env and port) after stop()/kill(); waits as start did. */
  restart(): Promise<void>;
}

const DEFAULT_KEEP_OUTPUT = 64 * 1024;
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'] as const;

/** The repository root: the nearest ancestor holding pnpm-workspace.yaml (works from src/ or dist/). */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
  return dir;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns the service, waits for readiness and returns a handle. Rejects (with the service's
 * output) when the process exits or the time runs out first. Children still running when the
 * test process exits are SIGKILLed.
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const root = repoRoot();
  const cwd = options.cwd ?? root;
  const entry =
    options.entry ??
    (options.cwd ? 'dist/main.js' : path.join('services', options.service, 'dist', 'main.js'));
  const mainJs = path.resolve(cwd, entry);
  if (!existsSync(mainJs)) {
    throw new Error(
      `${mainJs} is missing: build it first (npx tsc -b services/${options.service})`,
    );
  }
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const keep = options.keepOutputBytes ?? DEFAULT_KEEP_OUTPUT;
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries({ ...options.env, PORT: String(port) })) {
    if (value !== undefined) env[name] = value;
  }

  let output = '';
  let child!: ChildProcess;
  let exited!: Promise<void>;
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > keep) output = output.slice(-keep);
  };

  const spawnChild = () => {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const current = child;
    exited = new Promise((resolve) => {
      current.once('exit', (code, signal) => {
        append(Buffer.from(`\n[service-process] ${options.service} exited (${signal ?? code})\n`));
        resolve();
      });
    });
  };

  const isAlive = () => child.exitCode === null && child.signalCode === null;

  const waitForStatus = async (probe: '/readyz' | '/livez', timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!isAlive()) {
        throw new Error(`${options.service} exited before ${probe} answered 200:\n${output}`);
      }
      try {
        const res = await fetch(`${url}${probe}`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`${options.service}: ${probe} not 200 after ${timeoutMs} ms:\n${output}`);
      }
      await sleep(100);
    }
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (isAlive()) child.kill(signal);
    await exited;
  };

  const stop = async (timeoutMs = 15_000) => {
    if (!isAlive()) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const start = async () => {
    spawnChild();
    try {
      await waitForStatus(options.waitForReady === false ? '/livez' : '/readyz', readyTimeoutMs);
    } catch (err) {
      await kill();
      throw err;
    }
  };

  await start();
  return {
    url,
    port,
    get process() {
      return child;
    },
    output: () => output,
    waitUntilReady: (timeoutMs = readyTimeoutMs) => waitForStatus('/readyz', timeoutMs),
    stop,
    kill,
    async restart() {
      if (isAlive()) throw new Error(`${options.service} is still running: stop or kill it first`);
      await start();
    },
  };
}

const LEFTOVERS = Symbol.for('micromesh.service-process.leftovers');

/**
 * Remembers a child so it is SIGKILLed if the test process exits while it still runs. The set
 * lives on globalThis because jest loads this module once per test file; the exit hook is added once.
 */
function track(child: ChildProcess): void {
  const store = globalThis as { [LEFTOVERS]?: Set<ChildProcess> };
  let all = store[LEFTOVERS];
  if (!all) {
    const created = new Set<ChildProcess>();
    all = store[LEFTOVERS] = created;
    process.once('exit', () => {
      for (const leftover of created) leftover.kill('SIGKILL');
    });
  }
  all.add(child);
  child.once('exit', () => all.delete(child));
}
