import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';

export interface LoadSpec {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Offered requests per second across all connections; unset: as fast as answers come. */
  rate?: number;
}

export interface LoadResult {
  connections: number;
  durationSeconds: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

/**
 * One bounded autocannon run (loopback only). autocannon reports p97.5 but not p95, so the run is
 * given its own latency histogram (autocannon's `histograms` option) to read any percentile from.
 * It must be the pure-JS histogram: autocannon destroys the histogram before it calls back, and
 * only the JS implementation survives that (its destroy() is a no-op).
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new Error(`refusing to load ${url.host}: benchmarks only target loopback`);
  }
  const latencies = hdr.build({
    useWebAssembly: false,
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10_000,
    numberOfSignificantValueDigits: 3,
  });
  const options = {
    url: spec.url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', ...spec.headers },
    body: JSON.stringify(spec.body),
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: 10,
    ...(spec.rate ? { overallRate: spec.rate } : {}),
    // Not in @types/autocannon: lets the caller own the latency histogram (see lib/run.js).
    histograms: { latencies },
  };
  const result = await autocannon(options as autocannon.Options);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = (stat as { count?: number }).count ?? 0;
  }
  const p = (q: number) => Number(latencies.getValueAtPercentile(q).toFixed(1));
  const out: LoadResult = {
    connections: spec.connections,
    durationSeconds: spec.durationSeconds,
    requests: result.requests.total,
    reqPerSec: Math.round(result.requests.total / spec.durationSeconds),
    p50: p(50),
    p95: p(95),
    p99: p(99),
    max: latencies.maxValue,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
  return out;
}
