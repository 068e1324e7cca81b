import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { availableCpus, cgroupCpuLimit } from '@micromesh/kit';

/** A fake cgroup tree: files under <root>/, and /proc/self/cgroup's text. */
function cgroupTree(files: Record<string, string>, selfCgroup: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cgroup-'));
  const root = path.join(dir, 'sys-fs-cgroup');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), `${text}\n`);
  }
  writeFileSync(path.join(dir, 'self-cgroup'), selfCgroup);
  dirs.push(dir);
  return { root, selfCgroup: path.join(dir, 'self-cgroup') };
}
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('availableCpus', () => {
  const cores = availableParallelism();

  it('When cgroup v2 limits the container to half a CPU (cpu.max "50000 100000"), then one CPU is available', () => {
    const tree = cgroupTree({ 'cpu.max': '50000 100000' }, '0::/\n');

    expect(cgroupCpuLimit(tree)).toBe(0.5);
    expect(availableCpus(tree)).toBe(1);
  });

  it('When cgroup v2 names the process’s own cgroup below the root, then that cgroup’s cpu.max counts', () => {
    const tree = cgroupTree(
      { 'cpu.max': 'max 100000', 'kubepods/pod1/ctr/cpu.max': '100000 100000' },
      '0::/kubepods/pod1/ctr\n',
    );

    expect(cgroupCpuLimit(tree)).toBe(1);
    expect(availableCpus(tree)).toBe(1);
  });

  it('When cgroup v2 sets no limit (cpu.max "max 100000"), then every core is available', () => {
    const tree = cgroupTree({ 'cpu.max': 'max 100000' }, '0::/\n');

    expect(cgroupCpuLimit(tree)).toBeUndefined();
    expect(availableCpus(tree)).toBe(cores);
  });

  it('When cgroup v1 sets cpu.cfs_quota_us 150000 over a 100000 period, then 1.5 CPUs round down to one', () => {
    const tree = cgroupTree(
      { 'cpu,cpuacct/cpu.cfs_quota_us': '150000', 'cpu,cpuacct/cpu.cfs_period_us': '100000' },
      '5:cpu,cpuacct:/\n4:memory:/\n',
    );

    expect(cgroupCpuLimit(tree)).toBe(1.5);
    expect(availableCpus(tree)).toBe(1);
  });

  it('When cgroup v1 has no quota (-1), then every core is available', () => {
    const tree = cgroupTree(
      { 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' },
      '5:cpu:/\n',
    );

    expect(availableCpus(tree)).toBe(cores);
  });

  it('When the limit is above the cores the process may run on, then the cores bound it', () => {
    const tree = cgroupTree({ 'cpu.max': `${(cores + 4) * 100000} 100000` }, '0::/\n');

    expect(availableCpus(tree)).toBe(cores);
  });

  it('When there is no cgroup file system at all, then every core is available', () => {
    expect(availableCpus({ root: '/nonexistent', selfCgroup: '/nonexistent' })).toBe(cores);
  });
});
