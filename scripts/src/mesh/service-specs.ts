import path from 'node:path';
import { tlsEnv, usesTls } from './mesh-tls';
import type { MeshSettings, ServiceName } from './settings';

export interface ServiceSpec {
  name: ServiceName;
  /** Directory holding the service's package (dist/main.js inside). */
  dir: string;
  env: Record<string, string>;
  /** Base URL of the service's HTTP port (health, metrics, API). */
  httpUrl: string;
  /** Other addresses worth printing (e.g. gRPC). */
  extra?: Record<string, string>;
}

const local = (port: number) => `http://127.0.0.1:${port}`;
const secure = (port: number) => `https://127.0.0.1:${port}`;

/** How each service is wired in a native run: ports, stores and the addresses of its peers. */
export function serviceSpecs(s: MeshSettings): ServiceSpec[] {
  const p = s.ports;
  // Internal HTTP is HTTPS with client certificates when the mesh runs mutual TLS.
  const internal = s.tlsDir ? secure : local;
  const amqp = (name: ServiceName) => s.amqpUrls?.[name] ?? s.amqpUrl;
  const common = {
    NODE_ENV: 'development',
    LOG_LEVEL: s.logLevel,
    HOST: '127.0.0.1',
  };
  const specs: Omit<ServiceSpec, 'dir' | 'httpUrl'>[] = [
    {
      name: 'auth',
      env: {
        PORT: String(p.auth),
        AUTH_DATABASE_URL: s.authDatabaseUrl,
        AMQP_URL: amqp('auth'),
        AUTH_JWT_KEYS_DIR: s.jwtKeysDir,
        AUTH_JWT_ISSUER: 'micromesh-auth',
        AUTH_JWT_AUDIENCE: 'micromesh',
        AUTH_BCRYPT_COST: String(s.bcryptCost),
        AUTH_SEED_ADMIN_EMAIL: s.seedAdmin.email,
        AUTH_SEED_ADMIN_PASSWORD: s.seedAdmin.password,
      },
    },
    {
      name: 'logger',
      env: {
        PORT: String(p.logger),
        GRPC_PORT: String(p.loggerGrpc),
        LOG_STORE_URL: s.logStoreUrl,
      },
      extra: { grpc: `127.0.0.1:${p.loggerGrpc}` },
    },
    {
      name: 'mail',
      env: {
        PORT: String(p.mail),
        MAIL_HOST: '127.0.0.1',
        MAIL_PORT: String(p.smtp),
        MAIL_ENCRYPTION: 'none',
        FROM_NAME: 'micromesh',
        FROM_ADDRESS: 'noreply@micromesh.local',
        MAIL_DATABASE_URL: s.mailDatabaseUrl,
        AMQP_URL: amqp('mail'),
      },
    },
    {
      name: 'listener',
      env: {
        PORT: String(p.listener),
        AMQP_URL: amqp('listener'),
        LOGGER_GRPC_ADDRESS: `127.0.0.1:${p.loggerGrpc}`,
      },
    },
    {
      name: 'broker',
      env: {
        PORT: String(p.broker),
        METRICS_PORT: String(p.brokerMetrics),
        AUTH_URL: internal(p.auth),
        LOGGER_URL: internal(p.logger),
        LOGGER_GRPC_ADDRESS: `127.0.0.1:${p.loggerGrpc}`,
        MAIL_URL: internal(p.mail),
        LISTENER_URL: internal(p.listener),
        AMQP_URL: amqp('broker'),
        BROKER_DATABASE_URL: s.brokerDatabaseUrl,
        JWT_ISSUER: 'micromesh-auth',
        JWT_AUDIENCE: 'micromesh',
        CORS_ORIGINS: [local(p.frontend), `http://localhost:${p.frontend}`].join(','),
      },
      extra: { metrics: `${local(p.brokerMetrics)}/metrics` },
    },
    {
      name: 'frontend',
      env: {
        PORT: String(p.frontend),
        BROKER_URL: local(p.broker),
        // Static files: traced only inside a trace a caller started (browsers send none).
        ...(s.tracing.enabled ? { OTEL_TRACES_SAMPLER: 'parentbased_always_off' } : {}),
      },
    },
  ];
  return specs.map((spec) => {
    const tls = s.tlsDir && usesTls(spec.name) ? tlsEnv(s.tlsDir, spec.name) : {};
    // The broker's own port is the public one: plain HTTP (TLS ends at the ingress/edge).
    const url = spec.name === 'broker' || spec.name === 'frontend' ? local : internal;
    return {
      ...spec,
      dir: path.join(s.root, 'services', spec.name),
      httpUrl: url(Number(spec.env.PORT)),
      env: { ...common, ...tls, ...tracingEnv(s, spec.name), ...spec.env, ...s.extraEnv },
    };
  });
}

/** The OpenTelemetry variables the kit's tracing bootstrap reads (see the README's "Tracing"). */
function tracingEnv(s: MeshSettings, service: ServiceName): Record<string, string> {
  if (!s.tracing.enabled) return { OTEL_SDK_DISABLED: 'true' };
  return {
    OTEL_SERVICE_NAME: service,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(s.tracing.ratio),
    // Under mutual TLS the logger receives spans over HTTPS, each service presenting its certificate.
    OTEL_EXPORTER_OTLP_ENDPOINT:
      s.tracing.endpoint ??
      (s.tlsDir ? `https://127.0.0.1:${s.ports.logger}` : local(s.ports.logger)),
  };
}
