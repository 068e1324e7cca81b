import {
  createServiceContext,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { FrontendConfig } from './config';
import { contentSecurityPolicy } from './entry-points/content-security-policy';
import { mountRoutes } from './entry-points/routes';
import { mountStaticFiles } from './entry-points/static-files';

export interface FrontendOverrides {
  logger?: Logger;
}

/** Starts the frontend service: serves the web app that drives the mesh through the broker. */
export async function startFrontend(
  config: FrontendConfig,
  overrides: FrontendOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('frontend', config, overrides);
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    helmet: contentSecurityPolicy(new URL(config.BROKER_URL).origin),
    beforeBody: (app) => mountStaticFiles(app, config.STATIC_DIR, ctx.logger),
    routes: (app) => mountRoutes(app, { brokerUrl: config.BROKER_URL }),
  });
}
