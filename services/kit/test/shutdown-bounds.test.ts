import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const FIXTURE = path.join(__dirname, 'fixtures', 'stuck-service.cjs');
const TIMEOUT_MS = 1_000;
/** Shutdown timeout + the watchdog's grace + process start/exit slack on a loaded machine. */
const BOUND_MS = TIMEOUT_MS + 1_000 + 2_500;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  afterMs: number;
}

function startStuck(
  mode: 'hang' | 'flood',
  stdout: 'pipe' | 'ignore',
  env: NodeJS.ProcessEnv = {},
) {
  const child = spawn(process.execPath, [FIXTURE, mode], {
    env: { PATH: process.env.PATH, SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS), ...env },
    stdio: ['pipe', stdout, 'pipe'],
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) resolve();
    });
    child.once('exit', () => reject(new Error('exited before it started')));
  });
  return { child, started };
}

async function exitAfter(child: ChildProcess, act: () => void): Promise<Exit> {
  const t0 = Date.now();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  act();
  const [code, signal] = await exited;
  return { code, signal, afterMs: Date.now() - t0 };
}

describe('runMain: a shutdown that cannot complete is still bounded', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('When a closer never settles, then SIGTERM ends the process within SHUTDOWN_TIMEOUT_MS, exit code 1', async () => {
    const { child, started } = startStuck('hang', 'ignore');
    children.push(child);
    await started;
    const exit = await exitAfter(child, () => child.kill('SIGTERM'));
    expect(exit.code).toBe(1);
    expect(exit.afterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(exit.afterMs).toBeLessThan(BOUND_MS);
  });

  it('When stdout is a pipe nobody reads and the service floods it, then SIGTERM still ends it in bounded time', async () => {
    const { child, started } = startStuck('flood', 'pipe');
    children.push(child);
    child.stdout?.pause(); // never read: the pipe fills and stays full
    await started;
    await new Promise((r) => setTimeout(r, 300)); // long enough to fill a 64 KiB pipe many times over
    const exit = await exitAfter(child, () => child.kill('SIGTERM'));
    expect(exit.code !== 0 || exit.signal !== null).toBe(true);
    expect(exit.afterMs).toBeLessThan(BOUND_MS);
  });

  it('When stdout was closed by its reader, then SIGTERM still ends the process within the timeout', async () => {
    const { child, started } = startStuck('flood', 'pipe');
    children.push(child);
    await started;
    child.stdout?.destroy(); // the reader goes away: every later write gets EPIPE
    const exit = await exitAfter(child, () => child.kill('SIGTERM'));
    expect(exit.afterMs).toBeLessThan(BOUND_MS);
  });

  it('When run under a supervisor (MICROMESH_LIFELINE=stdin) and the supervisor goes away, then the service shuts down by itself', async () => {
    const { child, started } = startStuck('hang', 'ignore', { MICROMESH_LIFELINE: 'stdin' });
    children.push(child);
    await started;
    const exit = await exitAfter(child, () => child.stdin?.end());
    expect(exit.afterMs).toBeLessThan(BOUND_MS);
  });
});
