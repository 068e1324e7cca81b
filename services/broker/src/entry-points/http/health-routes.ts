import { ok, runCheck } from '@micromesh/kit';
import type { Express, RequestHandler } from 'express';

export interface ServiceProbe {
  name: string;
  /** Base URL whose GET /readyz is the service's readiness. */
  url: string;
}

export interface HealthRouteDeps {
  services: ServiceProbe[];
  /** The broker's own links (e.g. its RabbitMQ connection), checked in-process. */
  ownChecks: Record<string, () => Promise<unknown>>;
  timeoutMs: number;
  guard: RequestHandler[];
  /** The mesh fetch: the services' /readyz is HTTPS under mutual TLS. */
  fetch?: typeof fetch;
}

interface ServiceHealth {
  ok: boolean;
  ms: number;
  status?: number;
  error?: string;
}

/**
 * GET /api/health: every service's readiness for the dashboard, fetched in parallel with a short
 * timeout each, so one hung service costs at most that timeout. Always 200 while the broker itself
 * answers; `data.ready` says whether everything is.
 */
export function mountHealthRoutes(app: Express, deps: HealthRouteDeps): void {
  app.get('/api/health', ...deps.guard, async (_req, res) => {
    const probes = deps.services.map(
      async (s) =>
        [s.name, await probeService(s.url, deps.timeoutMs, deps.fetch ?? fetch)] as const,
    );
    const own = Object.entries(deps.ownChecks).map(
      async ([name, check]) => [name, await runCheck(check, deps.timeoutMs)] as const,
    );
    const entries = await Promise.all([...probes, ...own]);
    const services = Object.fromEntries(entries);
    const ready = entries.every(([, h]) => h.ok);
    res.json(ok(ready ? 'all services ready' : 'some services not ready', { ready, services }));
  });
}

async function probeService(
  url: string,
  timeoutMs: number,
  fetchFn: typeof fetch,
): Promise<ServiceHealth> {
  const started = performance.now();
  try {
    const res = await fetchFn(new URL('/readyz', url), { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { ok: res.ok, status: res.status, ms: elapsed(started) };
  } catch (err) {
    return { ok: false, ms: elapsed(started), error: describe(err) };
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);

function describe(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out';
  if (err instanceof Error)
    return (err.cause instanceof Error ? err.cause.message : '') || err.message;
  return String(err);
}
