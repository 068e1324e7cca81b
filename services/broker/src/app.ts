import {
  createServiceContext,
  ok,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { BrokerConfig } from './config';

export interface BrokerOverrides {
  logger?: Logger;
}

/** Starts the broker: the only public entry of the mesh. */
export async function startBroker(
  config: BrokerConfig,
  overrides: BrokerOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('broker', config, overrides);
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    routes: (app) => {
      app.post('/', (_req, res) => {
        res.json(ok('Hit the broker'));
      });
      app.get('/ping', (_req, res) => {
        res.json(ok('pong'));
      });
    },
  });
}
