import { z } from 'zod';

/** Reusable zod pieces for environment variables (which always arrive as strings). */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: () => z.url(),
  list: (fallback: string[] = []) =>
    z
      .string()
      .default(fallback.join(','))
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
};

/** Variables every service reads. Spread into each service's schema. */
export const baseEnvShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Interface to bind; containers set 0.0.0.0, native runs stay on loopback. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Longest a graceful shutdown may take before the process is forced out. Must cover
   * SHUTDOWN_DELAY_MS + SHUTDOWN_DRAIN_MS + closing the connections (shutdownBudgetProblem), and
   * stay under the orchestrator's grace period (terminationGracePeriodSeconds, stop_grace_period).
   */
  SHUTDOWN_TIMEOUT_MS: env.int(10_000),
  /** Time between failing readiness and closing the listener, so load balancers stop routing. */
  SHUTDOWN_DELAY_MS: env.int(0),
  /** Longest open requests and streams (HTTP, gRPC) may run on after the listener closes. */
  SHUTDOWN_DRAIN_MS: env.int(5_000),
  /** Largest accepted JSON body: bytes, or with a unit (`100kb`, `1mb`). */
  BODY_LIMIT: z.string().default('100kb'),
  /**
   * A separate port (on HOST) for `/metrics`, kept off the public port so scrapes are not open to
   * clients and cannot be reached through a proxy. Unset: `/metrics` stays on the service's port.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
};
