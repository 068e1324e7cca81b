import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const KIT_DIST = path.join(__dirname, '..', 'dist');

// In a child process: the test runner's own thread pool keeps its priority.
describe('lowerThreadPoolPriority', () => {
  it("When called after the thread pool started, then every pool thread runs at the nice value and the event loop's thread keeps its own", async () => {
    const script = `
      const fs = require('node:fs');
      const { lowerThreadPoolPriority } = require(${JSON.stringify(KIT_DIST)});
      const niceOf = (tid) => {
        const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      fs.stat('/', () => {
        const changed = lowerThreadPoolPriority(7);
        const threads = fs.readdirSync('/proc/self/task').map((tid) => ({
          name: fs.readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').trim(),
          nice: niceOf(tid),
          main: Number(tid) === process.pid,
        }));
        console.log(JSON.stringify({ changed, threads }));
      });`;
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 20_000 });
    const { changed, threads } = JSON.parse(stdout) as {
      changed: number;
      threads: { name: string; nice: number; main: boolean }[];
    };

    const pool = threads.filter((t) => t.name === 'libuv-worker');
    expect(pool.length).toBeGreaterThanOrEqual(1);
    expect(changed).toBe(pool.length);
    expect(pool.every((t) => t.nice === 7)).toBe(true);
    expect(threads.find((t) => t.main)?.nice).toBe(0);
  });
});
