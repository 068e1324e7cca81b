import { baseEnvShape, ConfigError, env, loadConfig, tlsEnvShape } from '@micromesh/kit';
import { z } from 'zod';

/**
 * Express `trust proxy`: `false` (the default: the socket address is the client), a hop count, or a
 * comma-separated list of trusted subnets. `true` is refused: it would let any client pick its own
 * rate-limit key with a forged X-Forwarded-For.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((v, ctx) => {
    const value = v.trim();
    if (value === '' || value === 'false' || value === '0') return false as const;
    if (value === 'true') {
      ctx.addIssue({
        code: 'custom',
        message: 'TRUST_PROXY=true is unsafe; give a hop count or subnets',
      });
      return z.NEVER;
    }
    return /^\d+$/.test(value) ? Number(value) : value;
  });

export const brokerConfigSchema = z.object({
  ...baseEnvShape,
  ...tlsEnvShape,
  PORT: env.port(8080),
  /** `/metrics` lives on this internal port only, never on the public PORT (0 = any free port). */
  METRICS_PORT: env.port(9080),
  AUTH_URL: z.url().default('http://127.0.0.1:8082'),
  LOGGER_URL: z.url().default('http://127.0.0.1:8083'),
  LOGGER_GRPC_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  MAIL_URL: z.url().default('http://127.0.0.1:8084'),
  /**
   * The senders the `mail` action accepts in `from` (the mail service's own MAIL_FROM and
   * MAIL_FROM_ALLOWLIST: set both services alike). Anything else is refused here with 400.
   */
  MAIL_FROM: z.email().default('noreply@micromesh.local'),
  MAIL_FROM_ALLOWLIST: env.list([]).pipe(z.array(z.email())),
  LISTENER_URL: z.url().default('http://127.0.0.1:8085'),
  /** RabbitMQ for the `event` action; required (no default credentials). */
  AMQP_URL: z.string().min(1),
  /** The broker's own PostgreSQL database (idempotency records); required, migrated at start. */
  BROKER_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
  BROKER_DB_POOL_SIZE: env.int(5, 1),
  /** How long an Idempotency-Key is remembered: a repeat after that runs as a new request. */
  IDEMPOTENCY_TTL_HOURS: env.int(24, 1),
  JWT_ISSUER: z.string().min(1).default('micromesh-auth'),
  JWT_AUDIENCE: z.string().min(1).default('micromesh'),
  /** Browser origins allowed to call the broker (exact match). */
  CORS_ORIGINS: env.list([]),
  TRUST_PROXY: trustProxy,

  /** Deadline of one call to auth / mail (HTTP) and of one gRPC call to the logger. */
  AUTH_TIMEOUT_MS: env.int(3_000, 1),
  /**
   * After auth answers a login 503 + Retry-After (its hashing gate and queue are full), further
   * logins are answered 503 by the broker itself for this long (never longer than the Retry-After)
   * instead of each being relayed; 0 relays every one.
   */
  AUTH_OVERLOAD_HOLD_MS: env.int(250, 0),
  MAIL_TIMEOUT_MS: env.int(5_000, 1),
  LOGGER_TIMEOUT_MS: env.int(2_000, 1),
  /** Time allowed for a proxied /api response to start (a live tail then streams without one). */
  PROXY_TIMEOUT_MS: env.int(5_000, 1),
  /** Per-service timeout of the /api/health fan-out. */
  HEALTH_TIMEOUT_MS: env.int(1_000, 1),
  /** Consecutive failures that open a downstream's circuit, and how long it stays open. */
  BREAKER_FAILURES: env.int(5, 1),
  BREAKER_HALF_OPEN_MS: env.int(5_000, 1),

  /** Largest number of concurrent `log` actions sent as one gRPC WriteLogs batch. */
  LOG_BATCH_MAX: env.int(256, 1),
  /** WriteLogs calls in flight at once; under load, later log actions wait and go out together. */
  LOG_BATCH_CONCURRENCY: env.int(2, 1),

  /** Broker → RabbitMQ: per-publish confirm timeout and the bound on unconfirmed publishes. */
  PUBLISH_TIMEOUT_MS: env.int(2_000, 1),
  PUBLISH_MAX_IN_FLIGHT: env.int(2_000, 1),
  /** How long start-up waits for the first RabbitMQ connection before serving without it. */
  AMQP_START_WAIT_MS: env.int(3_000, 0),
  /**
   * Dead letters looked through (held unacked, in memory) to find one by id for a replay or a
   * discard; one further back in the queue answers 404 until those before it are handled.
   */
  DEAD_LETTER_SEARCH_MAX: env.int(5_000, 1),

  /**
   * JWKS: how long fetched keys are trusted, and the least time between refetches on an unknown
   * kid (short, so a token signed by a just-rotated key is accepted within a second; long enough
   * that kid-spraying costs auth at most one JWKS read per second per replica).
   */
  JWKS_CACHE_MAX_AGE_MS: env.int(600_000, 1),
  JWKS_COOLDOWN_MS: env.int(1_000, 0),

  /**
   * Revocations: notices arrive live over RabbitMQ; auth's whole recent list is fetched at start,
   * at each reconnect and every SYNC ms, and what is new since the last answer every POLL ms,
   * whether or not the feed is up (auth may have failed to publish a notice).
   */
  REVOCATION_SYNC_MS: env.int(60_000, 100),
  REVOCATION_POLL_MS: env.int(1_000, 100),
  /** Concurrent live tails one user may hold, its token sessions and API keys together. */
  STREAMS_PER_CLIENT: env.int(3, 1),
  /** Verified-token and API-key caches (entries; API keys are re-introspected after the TTL). */
  TOKEN_CACHE_MAX: env.int(10_000, 1),
  API_KEY_CACHE_TTL_MS: env.int(30_000, 0),
  API_KEY_CACHE_MAX: env.int(1_000, 1),

  /**
   * Requests per window per client (a user, its sessions and API keys together; or an IP when
   * unauthenticated) and per IP for the public `auth` action.
   */
  RATE_LIMIT_POINTS: env.int(6_000, 1),
  RATE_LIMIT_WINDOW_S: env.int(60, 1),
  AUTH_RATE_LIMIT_POINTS: env.int(10, 1),
  AUTH_RATE_LIMIT_WINDOW_S: env.int(60, 1),
});

export type BrokerConfig = z.infer<typeof brokerConfigSchema>;

export function loadBrokerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(brokerConfigSchema, source);
}

const MESH_URLS = ['AUTH_URL', 'LOGGER_URL', 'MAIL_URL', 'LISTENER_URL'] as const;

/**
 * With mutual TLS the internal services serve HTTPS only: an http:// URL would fail every call,
 * so it fails the start instead, naming the variable.
 */
export function checkMeshUrls(config: BrokerConfig, tls: boolean): void {
  if (!tls) return;
  const plain = MESH_URLS.filter((name) => !config[name].startsWith('https://'));
  if (plain.length > 0) {
    throw new ConfigError(
      `invalid configuration: with TLS_* set, ${plain.join(', ')} must be https:// URLs`,
      plain,
    );
  }
}
