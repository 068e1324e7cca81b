import {
  createServiceContext,
  loadTlsMaterial,
  lowerThreadPoolPriority,
  openAmqp,
  openPostgres,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { Pool } from 'pg';
import type { AuthConfig } from './config';
import { AccountFailuresRepository } from './adapters/account-failures-repository';
import { ApiKeysRepository } from './adapters/api-keys-repository';
import { BcryptPasswordHasher } from './adapters/bcrypt-password-hasher';
import { createFailedLoginCounter } from './adapters/failed-login-counters';
import { JwtTokenService } from './adapters/jwt-token-service';
import { LoginEventPublisher } from './adapters/login-event-publisher';
import { authMigrations } from './adapters/migrations';
import { RevocationPublisher } from './adapters/revocation-publisher';
import { RevocationsRepository } from './adapters/revocations-repository';
import { readSigningKeys, SigningKeyDirectory } from './adapters/signing-key-files';
import { UsersRepository } from './adapters/users-repository';
import { WorkGate } from './adapters/work-gate';
import { AccountDelay } from './domain/account-delay';
import { ApiKeys } from './domain/api-keys';
import { Authenticator } from './domain/authenticator';
import { noLoginEvents } from './domain/login-events';
import { LoginThrottle } from './domain/login-throttle';
import type { LoginEvents, PasswordHasher, RevocationAnnouncer, UserStore } from './domain/ports';
import { noRevocationAnnouncer } from './domain/revocations';
import { seedAdmin } from './domain/seed-admin';
import { Users } from './domain/users';
import { mountRoutes } from './entry-points/http/routes';
import { startSigningKeyReload } from './entry-points/timers/signing-key-reload';
import { createAuthMetrics, type AuthMetrics } from './metrics';

export interface AuthOverrides {
  logger?: Logger;
}

/** Starts the auth service: identities, passwords, tokens and API keys. */
export async function startAuth(
  config: AuthConfig,
  overrides: AuthOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('auth', config, overrides);
  const { logger } = ctx;
  const metrics = createAuthMetrics(ctx.metrics);
  const tokens = await loadTokenService(config, logger);
  if (config.AUTH_JWT_RELOAD_MS > 0) {
    const keys = new SigningKeyDirectory(config.AUTH_JWT_KEYS_DIR, tokens);
    const reload = startSigningKeyReload(keys, config.AUTH_JWT_RELOAD_MS, logger);
    ctx.lifecycle.onShutdown('jwt-key-reload', () => reload.stop());
  }

  const pool = await openPostgres(ctx, {
    connectionString: config.AUTH_DATABASE_URL,
    applicationName: 'micromesh-auth',
    migrations: authMigrations,
    migrationsTable: 'auth_schema_migrations',
  });

  const usersRepo = new UsersRepository(pool);
  const hasher = new BcryptPasswordHasher(
    config.AUTH_BCRYPT_COST,
    new WorkGate(config.AUTH_HASH_CONCURRENCY, config.AUTH_HASH_QUEUE_MAX),
  );
  await seedConfiguredAdmin(config, usersRepo, hasher, logger);
  await hasher.warmUp();
  // The warm-up started libuv's thread pool, where bcrypt runs: lower its threads' priority.
  if (config.AUTH_HASH_NICE > 0) {
    const threads = lowerThreadPoolPriority(config.AUTH_HASH_NICE);
    logger.info({ threads, nice: config.AUTH_HASH_NICE }, 'bcrypt threads at a lower CPU priority');
  }

  const { events, revocations } = startAmqp(config, ctx, metrics);
  const apiKeys = new ApiKeys(
    new ApiKeysRepository(pool),
    revocations,
    config.AUTH_MAX_KEYS_PER_USER,
  );
  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.AUTH_TRUST_PROXY,
    tls: loadTlsMaterial(config),
    // Logins, JWKS, key introspection and the users/keys API all reach auth through the broker.
    callers: ['broker'],
    routes: (app) =>
      mountRoutes(app, {
        login: {
          users: usersRepo,
          hasher,
          tokens,
          throttle: createThrottle(pool, config),
          accountDelay: new AccountDelay(
            new AccountFailuresRepository(pool, config.AUTH_LOGIN_FAIL_WINDOW_SECONDS),
            {
              freeFailures: config.AUTH_LOGIN_ACCOUNT_FREE_FAILS,
              baseDelayMs: config.AUTH_LOGIN_ACCOUNT_BASE_DELAY_MS,
              maxDelayMs: config.AUTH_LOGIN_ACCOUNT_MAX_DELAY_MS,
            },
          ),
          events,
          recordOutcome: (result) => metrics.logins.inc({ result }),
        },
        tokens,
        users: new Users(usersRepo, hasher, revocations),
        apiKeys,
        authenticator: new Authenticator(tokens, apiKeys, usersRepo),
        revocationLog: new RevocationsRepository(pool),
        // A token issued just before a revocation lives at most the TTL; a minute for clock skew.
        revocationWindowSeconds: config.AUTH_TOKEN_TTL_SECONDS + 60,
      }),
  });
}

async function loadTokenService(config: AuthConfig, logger: Logger): Promise<JwtTokenService> {
  const keys = await readSigningKeys(config.AUTH_JWT_KEYS_DIR);
  const tokens = new JwtTokenService(keys, {
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    ttlSeconds: config.AUTH_TOKEN_TTL_SECONDS,
  });
  logger.info(
    { signingKid: tokens.signingKid, keys: keys.map((k) => ({ kid: k.kid, file: k.source })) },
    'JWT keys loaded',
  );
  return tokens;
}

async function seedConfiguredAdmin(
  config: AuthConfig,
  repo: UserStore,
  hasher: PasswordHasher,
  logger: Logger,
): Promise<void> {
  const email = config.AUTH_SEED_ADMIN_EMAIL;
  const password = config.AUTH_SEED_ADMIN_PASSWORD;
  if (!email || !password) return;
  if (await seedAdmin(repo, hasher, { email, password })) {
    logger.info({ email }, 'seed admin created');
  }
}

function createThrottle(pool: Pool, config: AuthConfig): LoginThrottle {
  const durationSeconds = config.AUTH_LOGIN_FAIL_WINDOW_SECONDS;
  return new LoginThrottle(
    createFailedLoginCounter(pool, {
      keyPrefix: 'login_email_ip',
      points: config.AUTH_LOGIN_MAX_FAILS_PER_EMAIL_IP,
      durationSeconds,
    }),
    createFailedLoginCounter(pool, {
      keyPrefix: 'login_ip',
      points: config.AUTH_LOGIN_MAX_FAILS_PER_IP,
      durationSeconds,
    }),
  );
}

/**
 * RabbitMQ is optional for auth: the connection heals in the background and readiness does not
 * depend on it, because a login must work while RabbitMQ is down. It carries the login events and
 * the revocation notices.
 */
function startAmqp(
  config: AuthConfig,
  ctx: ReturnType<typeof createServiceContext>,
  metrics: AuthMetrics,
): { events: LoginEvents; revocations: RevocationAnnouncer } {
  if (!config.AMQP_URL) {
    ctx.logger.warn(
      'AMQP_URL is not set: no authentication events; brokers learn revocations by polling',
    );
    return { events: noLoginEvents, revocations: noRevocationAnnouncer };
  }
  const { connection, publisher } = openAmqp(ctx, {
    url: config.AMQP_URL,
    name: 'auth',
    publisher: { publishTimeoutMs: 5_000 },
  });
  const events = new LoginEventPublisher({
    sink: publisher,
    logger: ctx.logger,
    outcomes: metrics.loginEvents,
  });
  const revocations = new RevocationPublisher(connection, ctx.logger, metrics.revocations);
  ctx.lifecycle.onShutdown('login-events', () => events.drain());
  connection.start();
  return { events, revocations };
}
