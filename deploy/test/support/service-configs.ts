import { loadAuthConfig } from '../../../services/auth/src/config';
import { loadBrokerConfig } from '../../../services/broker/src/config';
import { loadFrontendConfig } from '../../../services/frontend/src/config';
import { loadListenerConfig } from '../../../services/listener/src/config';
import { loadLoggerConfig } from '../../../services/logger/src/config';
import { loadMailConfig } from '../../../services/mail/src/config';
import type { ServiceName } from './paths';

type Env = Record<string, string | undefined>;

/** Each service's own config loader (its zod schema): the judge of an environment it is given. */
const loaders: Record<ServiceName, (env: Env) => unknown> = {
  auth: loadAuthConfig,
  broker: loadBrokerConfig,
  frontend: loadFrontendConfig,
  listener: loadListenerConfig,
  logger: loadLoggerConfig,
  mail: loadMailConfig,
};

/** null when the service accepts the environment, else its configuration error. */
export function configError(service: ServiceName, env: Env): string | null {
  try {
    loaders[service](env);
    return null;
  } catch (error) {
    return `${service}: ${(error as Error).message}`;
  }
}
