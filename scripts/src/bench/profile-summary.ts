/**
 * Summarises a V8 .cpuprofile (from `scripts/bench --profile DIR`): self time by package and by
 * function, so "what bounds this path" has a number behind it.
 *   node scripts/dist/bench/profile-summary.js DIR/CPU.….cpuprofile [top=25] [fromUs-toUs] [requests]
 *
 * A window (`fromUs-toUs`, CLOCK_MONOTONIC microseconds, the clock V8 stamps its samples with and
 * `process.hrtime` reads) keeps only the samples of one load run, leaving start-up out; with a
 * request count the figures are also µs of the main thread per request. `scripts/bench --profile`
 * writes such a summary for the broker of every row it runs (DIR/summary-<row>.txt).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileWindow {
  /** CLOCK_MONOTONIC µs (process.hrtime.bigint() / 1000). */
  fromUs: number;
  toUs: number;
}

function packageOf(url: string, fallback: string): string {
  if (url.includes('node_modules/')) {
    const rest = url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const parts = rest.split('/');
    return rest.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? rest);
  }
  if (url.startsWith('node:')) return url;
  const ours = /\/(services\/[^/]+|proto)\/dist\/(.*)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url || fallback;
}

/** The monotonic clock in µs, comparable with a profile's sample times on the same machine. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Self time by package and by function, as text: shares of the sampled busy time (idle left out)
 * and, given `requests`, µs per request.
 */
export function summariseProfile(
  file: string,
  options: { top?: number; window?: ProfileWindow; requests?: number } = {},
): string {
  const top = options.top ?? 25;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (options.window && (at < options.window.fromUs || at > options.window.toUs)) return;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    const fn = `${frame.functionName || '(anonymous)'}  ${pkg}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  const requests = options.requests;
  const lines: string[] = [
    `${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle` +
      (requests
        ? `; ${requests} requests: ${(busy / requests).toFixed(1)} µs busy per request`
        : ''),
  ];
  const show = (title: string, map: Map<string, number>) => {
    lines.push('', title);
    for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const perRequest = requests ? `${(t / requests).toFixed(1).padStart(7)} µs  ` : '';
      lines.push(`${((100 * t) / busy).toFixed(1).padStart(6)} %  ${perRequest}${name}`);
    }
  };
  show('self time by package (share of busy time):', byPackage);
  show('self time by function:', byFunction);
  return lines.join('\n');
}

function main(): void {
  const [file, topArg, windowArg, requestsArg] = process.argv.slice(2);
  if (!file)
    throw new Error('usage: profile-summary <file.cpuprofile> [top] [fromUs-toUs] [requests]');
  const [from, to] = (windowArg ?? '').split('-').map(Number);
  console.log(
    summariseProfile(file, {
      top: Number(topArg ?? 25),
      ...(from && to ? { window: { fromUs: from, toUs: to } } : {}),
      ...(requestsArg ? { requests: Number(requestsArg) } : {}),
    }),
  );
}

if (require.main === module) main();
