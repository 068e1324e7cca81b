import {
  createPgPool,
  createServiceContext,
  pgHealthCheck,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { LoggerConfig } from './config';

export interface LoggerOverrides {
  logger?: Logger;
}

/** Starts the logger service: where every log and event is stored and queried. */
export async function startLogger(
  config: LoggerConfig,
  overrides: LoggerOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('logger', config, overrides);
  const pool = createPgPool({
    connectionString: config.LOG_STORE_URL,
    applicationName: 'micromesh-logger',
    logger: ctx.logger,
  });
  ctx.lifecycle.onShutdown('postgres', () => pool.end());
  ctx.health.addCheck('store', pgHealthCheck(pool));
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    routes: () => {},
  });
}
