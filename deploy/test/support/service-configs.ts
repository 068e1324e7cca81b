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

/** The variables each service requires, with placeholder values (every other one has a default). */
const REQUIRED: Record<ServiceName, Env> = {
  auth: { AUTH_DATABASE_URL: 'postgres://u:p@h/a', AUTH_JWT_KEYS_DIR: '/keys' },
  broker: { AMQP_URL: 'amqp://u:p@h', BROKER_DATABASE_URL: 'postgres://u:p@h/b' },
  frontend: {},
  listener: { AMQP_URL: 'amqp://u:p@h', LOGGER_GRPC_ADDRESS: 'logger:50051' },
  logger: { LOG_STORE_URL: 'postgres://u:p@h/l' },
  mail: { MAIL_DATABASE_URL: 'postgres://u:p@h/m', AMQP_URL: 'amqp://u:p@h' },
};

/** The smallest environment the service starts with: what its defaults give. */
export function minimalEnv(service: ServiceName): Env {
  return { ...REQUIRED[service] };
}

/** The service's parsed configuration for an environment (throws its ConfigError). */
export function loadServiceConfig(service: ServiceName, env: Env): Record<string, unknown> {
  return loaders[service](env) as Record<string, unknown>;
}

/** null when the service accepts the environment, else its configuration error. */
export function configError(service: ServiceName, env: Env): string | null {
  try {
    loaders[service](env);
    return null;
  } catch (error) {
    return `${service}: ${(error as Error).message}`;
  }
}
