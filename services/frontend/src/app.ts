import {
  createServiceContext,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { FrontendConfig } from './config';

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
    routes: () => {},
  });
}
