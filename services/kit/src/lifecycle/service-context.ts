import type { Logger } from 'pino';
import { Health } from '../health/health';
import { createLogger } from '../logging/logger';
import { createMetrics, type Metrics } from '../metrics/metrics';
import { Lifecycle } from './lifecycle';
import { shutdownBudgetProblem } from './shutdown-budget';

export interface BaseConfig {
  LOG_LEVEL: string;
  SHUTDOWN_DELAY_MS: number;
  SHUTDOWN_DRAIN_MS?: number;
  SHUTDOWN_TIMEOUT_MS?: number;
  /** Set: `/metrics` is served on this port only (see startHttpService). */
  METRICS_PORT?: number | undefined;
}

/** The runtime pieces every service is built from. */
export interface ServiceContext<C extends BaseConfig = BaseConfig> {
  name: string;
  config: C;
  logger: Logger;
  health: Health;
  metrics: Metrics;
  lifecycle: Lifecycle;
}

export function createServiceContext<C extends BaseConfig>(
  name: string,
  config: C,
  overrides: { logger?: Logger } = {},
): ServiceContext<C> {
  const logger = overrides.logger ?? createLogger({ service: name, level: config.LOG_LEVEL });
  const health = new Health();
  const metrics = createMetrics(name);
  const lifecycle = new Lifecycle({ logger, health, delayMs: config.SHUTDOWN_DELAY_MS });
  const budget = shutdownBudgetProblem(config);
  if (budget) logger.warn(budget);
  return { name, config, logger, health, metrics, lifecycle };
}
