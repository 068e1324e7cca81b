import type { ServiceName } from './paths';

/** What a service's environment points at when its peers and stores run on this host. */
export interface LocalWiring {
  databaseUrls: Record<'auth' | 'mail' | 'logs' | 'broker', string>;
  amqpUrl: string;
  jwtKeysDir: string;
  loggerGrpcPort: number;
  /** The HTTP base URL of a running peer. */
  peerUrl(peer: ServiceName): string;
}

/**
 * Each service's environment as a container gets it, with 127.0.0.1 where compose/k8s use DNS
 * names: used by the bundle test (processes) and the image test (containers on the host network).
 */
export function serviceEnv(service: ServiceName, wiring: LocalWiring): Record<string, string> {
  const common = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The image loads the tracing bootstrap; its spans go to the logger bundle (once it runs).
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: wiring.peerUrl('logger'),
  };
  const grpc = `127.0.0.1:${wiring.loggerGrpcPort}`;
  switch (service) {
    case 'logger':
      return {
        ...common,
        GRPC_PORT: String(wiring.loggerGrpcPort),
        LOG_STORE_URL: wiring.databaseUrls.logs,
      };
    case 'auth':
      return {
        ...common,
        AUTH_DATABASE_URL: wiring.databaseUrls.auth,
        AMQP_URL: wiring.amqpUrl,
        AUTH_JWT_KEYS_DIR: wiring.jwtKeysDir,
        AUTH_BCRYPT_COST: '4',
        AUTH_SEED_ADMIN_EMAIL: 'admin@example.com',
        AUTH_SEED_ADMIN_PASSWORD: 'bundle-test-password',
      };
    case 'mail':
      return {
        ...common,
        MAIL_DATABASE_URL: wiring.databaseUrls.mail,
        AMQP_URL: wiring.amqpUrl,
        // Nothing listens here: SMTP is reported by /readyz but does not decide readiness.
        MAIL_HOST: '127.0.0.1',
        MAIL_PORT: '9',
        MAIL_ENCRYPTION: 'none',
      };
    case 'listener':
      return { ...common, AMQP_URL: wiring.amqpUrl, LOGGER_GRPC_ADDRESS: grpc };
    case 'broker':
      return {
        ...common,
        AUTH_URL: wiring.peerUrl('auth'),
        LOGGER_URL: wiring.peerUrl('logger'),
        LOGGER_GRPC_ADDRESS: grpc,
        MAIL_URL: wiring.peerUrl('mail'),
        LISTENER_URL: wiring.peerUrl('listener'),
        AMQP_URL: wiring.amqpUrl,
        BROKER_DATABASE_URL: wiring.databaseUrls.broker,
        // Any free port: several brokers may run on one host in these tests.
        METRICS_PORT: '0',
        CORS_ORIGINS: 'http://127.0.0.1:8081',
      };
    case 'frontend':
      return { ...common, BROKER_URL: wiring.peerUrl('broker') };
  }
}
