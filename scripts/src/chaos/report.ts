import type { FuzzReport } from './fuzz';
import type { ScenarioResult } from './run-scenario';

const fmt = (n: number) => n.toLocaleString('en-US');

/** One row per scenario, as the README's "Faults" table shows them. */
export function printTable(results: ScenarioResult[]): void {
  const header = [
    '#',
    'scenario',
    'accepted',
    'refused',
    'stored',
    'lost',
    'duplicated',
    'recovery',
    'ready',
    'result',
  ];
  const rows = results.map((r) => [
    String(r.id),
    r.name,
    fmt(r.accepted),
    fmt(r.refused),
    fmt(r.stored),
    fmt(r.lost),
    fmt(r.duplicated),
    r.recoveryMs === null ? 'never' : `${(r.recoveryMs / 1000).toFixed(1)} s`,
    r.readyAgain ? 'yes' : 'NO',
    r.pass ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const r of results) {
    for (const note of r.notes) console.log(`  ${r.id}: ${note}`);
    if (r.lostKeys.length) console.log(`  ${r.id}: lost keys ${r.lostKeys.slice(0, 10).join(' ')}`);
    if (r.duplicatedKeys.length)
      console.log(`  ${r.id}: duplicated keys ${r.duplicatedKeys.slice(0, 10).join(' ')}`);
  }
}

export function printFuzz(report: FuzzReport & { readyAfter: boolean; drained: boolean }): void {
  console.log(
    `\nfuzzer (seed ${report.seed}): ${fmt(report.sent)} requests, ${report.serverErrors} 5xx, ` +
      `${report.unanswered} unanswered, ${report.unsendable} not sendable by fetch; ` +
      `mesh ready afterwards: ${report.readyAfter ? 'yes' : 'NO'}; pipelines drain: ${report.drained ? 'yes' : 'NO'}`,
  );
  console.log(
    `  answers: ${Object.entries(report.statuses)
      .sort()
      .map(([s, n]) => `${s}×${fmt(n)}`)
      .join(' ')}`,
  );
  for (const f of report.failures) console.log(`  ${f.status}: ${f.request}`);
}
