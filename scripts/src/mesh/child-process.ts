import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it outlives `graceMs`. */
  stop(graceMs?: number): Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Every stdout/stderr line of the child. */
  onLine?: (line: string) => void;
  /** Or: the child's stdout and stderr piped here as they come (never ended by the child). */
  sink?: Writable;
  /**
   * Give the child a stdin pipe that this process never writes to and tell it (via
   * MICROMESH_LIFELINE=stdin, read by the kit's runMain) to shut down when the pipe ends: if this
   * process dies, even by SIGKILL, its children do not run on as orphans.
   */
  lifeline?: boolean;
}

/** Spawns a child whose output is read line by line and whose stop is bounded in time. */
export function spawnManaged(options: SpawnOptions): ManagedProcess {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(options.lifeline ? { MICROMESH_LIFELINE: 'stdin' } : {}),
      ...options.env,
    },
    stdio: [options.lifeline ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  const { onLine, sink } = options;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream && sink) stream.pipe(sink, { end: false });
    else if (stream && onLine) createInterface({ input: stream }).on('line', onLine);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => {
      const line = `failed to start: ${err.message}`;
      if (onLine) onLine(line);
      else sink?.write(`${line}\n`);
      resolve('spawn-error');
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name: options.name,
    child,
    exited,
    kill(signal) {
      if (running()) child.kill(signal);
    },
    async stop(graceMs = 15_000) {
      if (running()) {
        child.kill('SIGTERM');
        // Unref'd: the grace timer alone must not keep the caller (a test run) alive for graceMs.
        const timedOut = await Promise.race([
          exited.then(() => false),
          sleep(graceMs, true, { ref: false }),
        ]);
        if (timedOut && running()) {
          child.kill('SIGKILL');
          await once(child, 'exit').catch(() => undefined);
        }
      }
      return exited;
    },
  };
}

/** Polls an HTTP URL until it answers 200, the process dies, the wait is aborted or the time runs out. */
export async function waitUntilReady(
  url: string,
  process: ManagedProcess | undefined,
  timeoutMs: number,
  abort?: AbortSignal,
  fetchFn: typeof fetch = fetch,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  let dead = false;
  void process?.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (abort?.aborted) throw new Error(`stopped while waiting for ${process?.name ?? url}`);
    if (dead) throw new Error(`${process?.name ?? url} exited before it was ready`);
    try {
      const res = await fetchFn(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`${process?.name ?? url} not ready after ${timeoutMs} ms (${last})`);
}
