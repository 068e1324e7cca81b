import {
  createServiceContext,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { MailConfig } from './config';

export interface MailOverrides {
  logger?: Logger;
}

/** Starts the mail service: sends mail over SMTP, with a durable retry queue. */
export async function startMail(
  config: MailConfig,
  overrides: MailOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('mail', config, overrides);
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    routes: () => {},
  });
}
