import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** libuv names its thread-pool threads so (Linux, libuv ≥ 1.45). */
const POOL_THREAD_NAME = 'libuv-worker';

/**
 * Raises the nice value of this process's libuv thread-pool threads (and only theirs: the event
 * loop keeps its priority), so CPU-heavy pool work — bcrypt — yields the cores to every other
 * process of the machine when they want them, and still runs at full speed when they do not.
 * Call it after the pool has started (libuv starts all its threads on first use). Linux only:
 * threads are found by name in /proc/self/task; elsewhere nothing changes. Raising a nice value
 * needs no privilege (lowering it back would). Answers how many threads were changed.
 */
export function lowerThreadPoolPriority(nice: number): number {
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let changed = 0;
  for (const tid of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== POOL_THREAD_NAME) continue;
      // On Linux a thread id names that one thread to setpriority(2).
      setPriority(Number(tid), nice);
      changed++;
    } catch {
      // the thread ended meanwhile: nothing to lower
    }
  }
  return changed;
}
