import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

/** Where the cgroup files are read from; tests point it at a fake tree. */
export interface CgroupPaths {
  /** The cgroup file system mount (default /sys/fs/cgroup). */
  root?: string;
  /** This process's cgroup membership (default /proc/self/cgroup). */
  selfCgroup?: string;
}

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Cgroup paths of this process: v2 ("0::/x") under '', v1 per controller ("4:cpu,cpuacct:/x"). */
function memberships(selfCgroup: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of (read(selfCgroup) ?? '').split('\n')) {
    const [, controllers = '', cgroupPath = '/'] = line.split(':');
    for (const controller of controllers.split(',')) map.set(controller, cgroupPath);
  }
  return map;
}

/** The first file that exists among the candidates (a container sees its own cgroup at the root). */
const firstRead = (files: string[]): string | undefined =>
  files.map(read).find((text) => text !== undefined);

/**
 * The CPU limit of this process's cgroup in cores (quota / period), or undefined when there is
 * none. cgroup v2: `cpu.max` ("max 100000" or "50000 100000"); v1: `cpu.cfs_quota_us` (-1 = none)
 * and `cpu.cfs_period_us`. This is what a Kubernetes `resources.limits.cpu` or
 * `docker run --cpus` sets; os.availableParallelism() still reports every core of the node.
 */
export function cgroupCpuLimit(paths: CgroupPaths = {}): number | undefined {
  const root = paths.root ?? '/sys/fs/cgroup';
  const own = memberships(paths.selfCgroup ?? '/proc/self/cgroup');

  const v2 = firstRead([
    path.join(root, own.get('') ?? '/', 'cpu.max'),
    path.join(root, 'cpu.max'),
  ]);
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    if (quota === 'max') return undefined;
    return Number(quota) / Number(period ?? 100_000);
  }

  const v1Path = own.get('cpu') ?? '/';
  const v1Dirs = ['cpu', 'cpu,cpuacct', 'cpuacct,cpu'].flatMap((dir) => [
    path.join(root, dir, v1Path),
    path.join(root, dir),
  ]);
  const quota = firstRead(v1Dirs.map((dir) => path.join(dir, 'cpu.cfs_quota_us')));
  if (quota === undefined || Number(quota) <= 0) return undefined;
  const period = firstRead(v1Dirs.map((dir) => path.join(dir, 'cpu.cfs_period_us')));
  return Number(quota) / Number(period ?? 100_000);
}

/**
 * CPUs this process may really use: the cores it may run on, capped by its cgroup's CPU limit
 * (rounded down: 1.5 CPUs of quota keep one core busy, not two), never less than one.
 */
export function availableCpus(paths: CgroupPaths = {}): number {
  const cores = availableParallelism();
  const limit = cgroupCpuLimit(paths);
  if (limit === undefined || !Number.isFinite(limit)) return cores;
  return Math.max(1, Math.min(cores, Math.floor(limit)));
}
