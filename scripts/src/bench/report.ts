import type { LoadResult } from './load';

export interface ScenarioResult extends LoadResult {
  scenario: string;
  /** reqPerSec divided by the naive baseline's at the same connection count. */
  ratio?: number;
  /** reqPerSec divided by the Moleculer peer's doing the same action at the same connection count. */
  peerRatio?: number;
  /** CPU time (user + system) of the answering gateway process per request, from /proc. */
  gatewayCpuMsPerRequest?: number;
  /** CPU time of every mesh service (broker, auth, logger, mail, listener, …) per request, µs. */
  meshCpuUsPerRequest?: number;
}

const COLUMNS: [string, (r: ScenarioResult) => string][] = [
  ['scenario', (r) => r.scenario],
  ['conns', (r) => String(r.connections)],
  ['req/s', (r) => r.reqPerSec.toLocaleString('en-US')],
  // Successful answers per second: what a bcrypt-bound or shedding path really delivers.
  ['2xx/s', (r) => Math.round((r.requests - r.non2xx) / r.durationSeconds).toLocaleString('en-US')],
  ['p50 ms', (r) => r.p50.toFixed(1)],
  ['p95 ms', (r) => r.p95.toFixed(1)],
  ['p99 ms', (r) => r.p99.toFixed(1)],
  [
    'gw CPU ms/req',
    (r) => (r.gatewayCpuMsPerRequest === undefined ? '' : r.gatewayCpuMsPerRequest.toFixed(3)),
  ],
  [
    'mesh CPU µs/req',
    (r) => (r.meshCpuUsPerRequest === undefined ? '' : String(r.meshCpuUsPerRequest)),
  ],
  ['errors', (r) => String(r.errors + r.timeouts)],
  ['non-2xx', (r) => String(r.non2xx)],
  ['× baseline', (r) => (r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`)],
  ['× peer', (r) => (r.peerRatio === undefined ? '' : `${r.peerRatio.toFixed(2)}×`)],
];

/** A plain aligned table (Markdown-compatible, so it can be pasted into the README). */
export function formatTable(rows: ScenarioResult[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, get]) => get(r)));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...cells.map((row) => row[i]!.length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(COLUMNS.map(([title]) => title)),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}
