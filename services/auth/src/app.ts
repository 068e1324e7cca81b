import {
  createPgPool,
  createServiceContext,
  pgHealthCheck,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { AuthConfig } from './config';

export interface AuthOverrides {
  logger?: Logger;
}

/** Starts the auth service: identities, passwords, tokens and API keys. */
export async function startAuth(
  config: AuthConfig,
  overrides: AuthOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('auth', config, overrides);
  const pool = createPgPool({
    connectionString: config.AUTH_DATABASE_URL,
    applicationName: 'micromesh-auth',
    logger: ctx.logger,
  });
  ctx.lifecycle.onShutdown('postgres', () => pool.end());
  ctx.health.addCheck('postgres', pgHealthCheck(pool));
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    routes: () => {},
  });
}
