import {
  createServiceContext,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { ListenerConfig } from './config';

export interface ListenerOverrides {
  logger?: Logger;
}

/** Starts the listener service: consumes logs_topic and forwards events to the logger (HTTP only for health and metrics). */
export async function startListener(
  config: ListenerConfig,
  overrides: ListenerOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('listener', config, overrides);
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    routes: () => {},
  });
}
