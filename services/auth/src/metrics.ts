import type { Metrics } from '@micromesh/kit';
import { Counter } from 'prom-client';

/** Auth's own counters, on the service's registry (served at /metrics). */
export function createAuthMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    logins: new Counter({
      name: 'auth_login_attempts_total',
      help: 'Login attempts by outcome: success, invalid (bad credentials) or rate_limited',
      labelNames: ['result'] as const,
      registers,
    }),
    loginEvents: new Counter({
      name: 'auth_login_events_total',
      help: 'authentication events by outcome: published, or why not (unavailable, timeout, unroutable, overloaded, nacked, dropped, error)',
      labelNames: ['result'] as const,
      registers,
    }),
    revocations: new Counter({
      name: 'auth_revocation_notices_total',
      help: 'Revocation notices to the brokers by outcome: published, not_connected, error',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}

export type AuthMetrics = ReturnType<typeof createAuthMetrics>;
