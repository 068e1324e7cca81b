/**
 * Summarises a V8 .cpuprofile (from `scripts/bench --profile DIR`): self time by package and by
 * function, so "what bounds this path" has a number behind it.
 *   node scripts/dist/bench/profile-summary.js DIR/CPU.….cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
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

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    total += dt;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    const fn = `${frame.functionName || '(anonymous)'}  ${pkg}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
  });
  const show = (title: string, map: Map<string, number>) => {
    console.log(title);
    for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((100 * t) / total).toFixed(1).padStart(6)} %  ${name}`);
    }
  };
  console.log(`${(total / 1e6).toFixed(1)} s sampled`);
  show('\nself time by package:', byPackage);
  show('\nself time by function:', byFunction);
}

main();
