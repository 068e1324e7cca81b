import path from 'node:path';

export const SERVICE_NAMES = ['auth', 'logger', 'mail', 'listener', 'broker', 'frontend'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface MeshPorts {
  broker: number;
  /** The broker's internal /metrics port (never the public one). */
  brokerMetrics: number;
  frontend: number;
  auth: number;
  logger: number;
  loggerGrpc: number;
  mail: number;
  listener: number;
  smtp: number;
  smtpWeb: number;
}

/**
 * The logger on FerretDB (`LOG_STORE=mongo scripts/up`): the MongoDB wire protocol over SQLite
 * files, supervised by the launcher like the SMTP sink. Built by the bootstrap (ensure_ferretdb).
 */
export interface FerretDbSettings {
  binary: string;
  port: number;
  /** FerretDB's debug HTTP port (its /debug/readyz tells the launcher it is up). */
  debugPort: number;
  /** SQLite files; kept between runs like the PostgreSQL data. */
  dataDir: string;
}

export const FERRETDB_VERSION = '1.24.2';

/** Everything the launcher needs to wire the services to each other and to their stores. */
export interface MeshSettings {
  root: string;
  ports: MeshPorts;
  authDatabaseUrl: string;
  mailDatabaseUrl: string;
  /** The broker's own database (idempotency records). */
  brokerDatabaseUrl: string;
  logStoreUrl: string;
  /** Set when the launcher must start FerretDB for the logger (LOG_STORE=mongo, no MONGO_URL). */
  ferretdb?: FerretDbSettings;
  amqpUrl: string;
  jwtKeysDir: string;
  seedAdmin: { email: string; password: string };
  bcryptCost: number;
  logLevel: string;
  /** OpenTelemetry in every service; spans go to the logger unless `endpoint` names another target. */
  tracing: TracingSettings;
  /** Extra variables passed to every service (wins over the computed ones). */
  extraEnv?: Record<string, string>;
  /**
   * Mutual TLS between the services: a directory in the layout of `ensureDevCertificates`
   * (`ca/`, `<service>/{ca.crt,tls.crt,tls.key}`). Unset: plaintext.
   */
  tlsDir?: string;
  /** One RabbitMQ URL (user) per service; a service not named uses `amqpUrl`. */
  amqpUrls?: Partial<Record<ServiceName, string>>;
}

export interface TracingSettings {
  enabled: boolean;
  /** Share of new traces sampled (parent-based: a sampled caller's trace is always kept). */
  ratio: number;
  /** OTLP/HTTP base URL (e.g. Jaeger's :4318); default the logger's HTTP port. */
  endpoint?: string;
}

export const DEFAULT_PORTS: MeshPorts = {
  broker: 8080,
  brokerMetrics: 9080,
  frontend: 8081,
  auth: 8082,
  logger: 8083,
  loggerGrpc: 50051,
  mail: 8084,
  listener: 8085,
  smtp: 1025,
  smtpWeb: 8025,
};

const PORT_VARIABLES: Record<keyof MeshPorts, string> = {
  broker: 'MESH_BROKER_PORT',
  brokerMetrics: 'MESH_BROKER_METRICS_PORT',
  frontend: 'MESH_FRONTEND_PORT',
  auth: 'MESH_AUTH_PORT',
  logger: 'MESH_LOGGER_PORT',
  loggerGrpc: 'MESH_LOGGER_GRPC_PORT',
  mail: 'MESH_MAIL_PORT',
  listener: 'MESH_LISTENER_PORT',
  smtp: 'MESH_SMTP_PORT',
  smtpWeb: 'MESH_SMTP_WEB_PORT',
};

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set (scripts/up reads it from .env)`);
  return value;
}

function pgUrl(env: Env, database: string): string {
  const user = encodeURIComponent(required(env, 'POSTGRES_USER'));
  const password = encodeURIComponent(required(env, 'POSTGRES_PASSWORD'));
  const host = env.POSTGRES_HOST || '127.0.0.1';
  const port = env.POSTGRES_PORT || '5432';
  return `postgres://${user}:${password}@${host}:${port}/${database}`;
}

export function amqpUrlFrom(env: Env, vhost = '/'): string {
  const user = encodeURIComponent(required(env, 'RABBITMQ_USER'));
  const password = encodeURIComponent(required(env, 'RABBITMQ_PASSWORD'));
  const host = env.RABBITMQ_HOST || '127.0.0.1';
  const port = env.RABBITMQ_PORT || '5672';
  return `amqp://${user}:${password}@${host}:${port}/${encodeURIComponent(vhost)}`;
}

/** Settings for a native run, from the variables of .env (see .env.example). */
export function settingsFromEnv(root: string, env: Env = process.env): MeshSettings {
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(ports) as (keyof MeshPorts)[]) {
    const value = env[PORT_VARIABLES[key]];
    if (value) ports[key] = Number(value);
  }
  const logStore = env.LOG_STORE || 'postgres';
  if (logStore !== 'postgres' && logStore !== 'mongo') {
    throw new Error(`LOG_STORE must be postgres or mongo (got ${logStore})`);
  }
  const ferretdb: FerretDbSettings | undefined =
    logStore === 'mongo' && !env.MONGO_URL
      ? {
          binary:
            env.FERRETDB_BIN ||
            path.join(root, '.tools', `ferretdb-${FERRETDB_VERSION}`, 'bin', 'ferretdb'),
          port: Number(env.MESH_FERRETDB_PORT || 27017),
          debugPort: Number(env.MESH_FERRETDB_DEBUG_PORT || 8088),
          dataDir: path.join(root, '.run', 'ferretdb'),
        }
      : undefined;
  return {
    root,
    ports,
    authDatabaseUrl: pgUrl(env, env.AUTH_DATABASE || 'micromesh_auth'),
    mailDatabaseUrl: pgUrl(env, env.MAIL_DATABASE || 'micromesh_mail'),
    brokerDatabaseUrl: pgUrl(env, env.BROKER_DATABASE || 'micromesh_broker'),
    logStoreUrl: ferretdb
      ? `mongodb://127.0.0.1:${ferretdb.port}/${env.LOGS_DATABASE || 'micromesh_logs'}`
      : env.MONGO_URL || env.LOG_STORE_URL || pgUrl(env, env.LOGS_DATABASE || 'micromesh_logs'),
    ...(ferretdb ? { ferretdb } : {}),
    amqpUrl: amqpUrlFrom(env, env.RABBITMQ_VHOST || '/'),
    amqpUrls: serviceAmqpUrls(env),
    jwtKeysDir: path.join(root, '.secrets', 'jwt'),
    seedAdmin: {
      email: env.AUTH_SEED_ADMIN_EMAIL || 'admin@example.com',
      password: env.AUTH_SEED_ADMIN_PASSWORD || 'verysecret',
    },
    bcryptCost: Number(env.AUTH_BCRYPT_COST || 12),
    logLevel: env.LOG_LEVEL || 'info',
    // The bootstrap makes the dev CA and certificates; MESH_TLS=off runs the mesh in plaintext.
    tlsDir: env.MESH_TLS === 'off' ? undefined : path.join(root, '.secrets', 'tls'),
    tracing: {
      enabled: !/^(true|1|yes)$/i.test(env.OTEL_SDK_DISABLED ?? ''),
      ratio: Number(env.OTEL_TRACES_SAMPLER_ARG || 1),
      ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    },
  };
}

/**
 * Each service's own RabbitMQ user (`micromesh-<service>`, made by the bootstrap) where .env
 * gives its password; the others fall back to the administrator's URL.
 */
function serviceAmqpUrls(env: Env): Partial<Record<ServiceName, string>> {
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const service of ['broker', 'auth', 'listener', 'mail'] as const) {
    const password = env[`RABBITMQ_${service.toUpperCase()}_PASSWORD`];
    if (!password) continue;
    urls[service] = amqpUrlFrom(
      { ...env, RABBITMQ_USER: `micromesh-${service}`, RABBITMQ_PASSWORD: password },
      env.RABBITMQ_VHOST || '/',
    );
  }
  return urls;
}
