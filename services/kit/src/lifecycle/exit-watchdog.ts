import { Worker } from 'node:worker_threads';

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms);
`;

/**
 * Kills this process with SIGKILL after `ms`, from a worker thread, so it happens even when the
 * main thread is blocked (a synchronous log write on a pipe nobody reads, a hot loop) and no
 * timer of the main thread can run. The worker is unref'd: a process that ends sooner is not held.
 */
export function armExitWatchdog(ms: number): void {
  const worker = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { pid: process.pid, ms },
  });
  worker.unref();
}
