import {
  AmqpConnection,
  EventPublisher,
  createPgPool,
  createServiceContext,
  loadTlsMaterial,
  meshFetch,
  meshHttpsAgent,
  migrate,
  pgHealthCheck,
  senderPolicy,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import { createLogServiceClient, grpcChannelCredentials, logServiceCalls } from '@micromesh/proto';
import { ApiKeyVerifier } from './adapters/api-key-verifier';
import { AuthClient } from './adapters/auth-client';
import { AmqpDeadLetterQueue } from './adapters/dead-letter-queue';
import { Downstream } from './adapters/downstream';
import { publishConfirmed } from './adapters/event-sink';
import { LogWriter } from './adapters/log-writer';
import { MailClient } from './adapters/mail-client';
import { BROKER_MIGRATIONS, BROKER_MIGRATIONS_TABLE } from './adapters/migrations';
import { PgIdempotencyRecords } from './adapters/pg-idempotency-records';
import { RevocationFeed } from './adapters/revocation-feed';
import { TokenVerifier } from './adapters/token-verifier';
import { checkMeshUrls, type BrokerConfig } from './config';
import { BrokerActions } from './domain/broker-actions';
import { DeadLetterAdmin } from './domain/dead-letters';
import { OverloadHold } from './domain/overload-hold';
import { mailActionSchema } from './domain/mail-action-schema';
import { RevocationList } from './domain/revocation-list';
import type { EdgeAuth } from './entry-points/http/authenticate';
import { RateLimit } from './entry-points/http/rate-limits';
import { mountBeforeBody, mountRoutes } from './entry-points/http/routes';
import { StreamGuard } from './entry-points/http/stream-guard';
import { createBrokerMetrics } from './metrics';

/** Expired idempotency keys are deleted this often (by every replica; the statement is cheap). */
const PURGE_INTERVAL_MS = 15 * 60_000;

export interface BrokerOverrides {
  logger?: Logger;
}

/** Starts the broker: the only public entry of the mesh. */
export async function startBroker(
  config: BrokerConfig,
  overrides: BrokerOverrides = {},
): Promise<StartedHttpService> {
  const ctx = createServiceContext('broker', config, overrides);
  const { logger, lifecycle } = ctx;
  // Mutual TLS to auth, logger and mail: the broker presents its certificate on every call.
  const tls = loadTlsMaterial(config);
  checkMeshUrls(config, tls !== undefined);
  const meshFetchFn = meshFetch(tls);
  const httpsAgent = tls ? meshHttpsAgent(tls, { keepAlive: true, maxSockets: 256 }) : undefined;
  lifecycle.onShutdown('https agent', async () => httpsAgent?.destroy());
  const metrics = createBrokerMetrics(ctx.metrics);
  const breaker = {
    failures: config.BREAKER_FAILURES,
    halfOpenAfterMs: config.BREAKER_HALF_OPEN_MS,
    logger,
    onOpenChange: (name: string, open: boolean) =>
      metrics.circuitOpen.set({ downstream: name }, open ? 1 : 0),
  };
  // The broker's own database: idempotency records every replica shares.
  const pool = createPgPool({
    connectionString: config.BROKER_DATABASE_URL,
    applicationName: 'micromesh-broker',
    max: config.BROKER_DB_POOL_SIZE,
    logger,
  });
  lifecycle.onShutdown('postgres', () => pool.end());
  await migrate({ pool, migrations: BROKER_MIGRATIONS, logger, table: BROKER_MIGRATIONS_TABLE });
  // Not part of /readyz (like RabbitMQ): only keyed requests need it; /api/health shows it.
  const brokerDbCheck = pgHealthCheck(pool);
  const idempotency = new PgIdempotencyRecords(pool, config.IDEMPOTENCY_TTL_HOURS, logger);
  const purge = setInterval(() => {
    idempotency.purgeExpired().catch((err: unknown) => {
      logger.warn({ err }, 'purging expired idempotency keys failed');
    });
  }, PURGE_INTERVAL_MS);
  purge.unref();
  lifecycle.onShutdown('idempotency purge', () => clearInterval(purge));

  const authService = new Downstream('auth', breaker);
  const loggerService = new Downstream('logger', breaker);
  const mailService = new Downstream('mail', breaker);

  // One long-lived gRPC channel (HTTP/2, keepalive) for every log write.
  const grpcClient = createLogServiceClient(config.LOGGER_GRPC_ADDRESS, {
    credentials: grpcChannelCredentials(tls),
  });
  lifecycle.onShutdown('grpc', () => grpcClient.close());
  const logWriter = new LogWriter({
    calls: logServiceCalls(grpcClient),
    downstream: loggerService,
    timeoutMs: config.LOGGER_TIMEOUT_MS,
    maxBatch: config.LOG_BATCH_MAX,
    maxConcurrent: config.LOG_BATCH_CONCURRENCY,
    onBatch: (size) => metrics.logBatchSize.observe(size),
  });

  // One connection, one shared confirm channel with many publishes in flight.
  const amqp = new AmqpConnection({ url: config.AMQP_URL, logger, name: 'broker' });
  lifecycle.onShutdown('amqp', () => amqp.close());
  const publisher = new EventPublisher({
    connection: amqp,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
    maxInFlight: config.PUBLISH_MAX_IN_FLIGHT,
  });
  lifecycle.onShutdown('publisher', () => publisher.close());
  const authClient = new AuthClient(
    config.AUTH_URL,
    authService,
    config.AUTH_TIMEOUT_MS,
    meshFetchFn,
  );
  const revocations = new RevocationList();
  const revocationFeed = new RevocationFeed({
    connection: amqp,
    list: revocations,
    catchUp: (after) => authClient.revocations(after),
    logger,
    syncIntervalMs: config.REVOCATION_SYNC_MS,
    pollIntervalMs: config.REVOCATION_POLL_MS,
  });
  amqp.start();
  // A normal start is ready for events at once; a RabbitMQ that is down only delays the start by
  // this much (the connection keeps retrying, and events answer 503 until it is up).
  await amqp.waitUntilConnected(config.AMQP_START_WAIT_MS).catch((err: unknown) => {
    logger.warn({ err }, 'RabbitMQ not reachable at start; events answer 503 until it is');
  });

  // Tokens are refused (503) until the broker knows what was revoked while it was away.
  await revocationFeed.syncNow().catch((err: unknown) => {
    logger.warn({ err }, 'revocation list not loaded at start; tokens answer 503 until it is');
  });
  revocationFeed.start();
  lifecycle.onShutdown('revocation-feed', () => revocationFeed.stop());

  const deadLetters = new DeadLetterAdmin(
    new AmqpDeadLetterQueue({
      connection: amqp,
      publisher,
      searchLimit: config.DEAD_LETTER_SEARCH_MAX,
    }),
  );
  const mailClient = new MailClient(
    config.MAIL_URL,
    mailService,
    config.MAIL_TIMEOUT_MS,
    meshFetchFn,
  );
  const actions = new BrokerActions(
    {
      authenticate: (credentials, ip) => authClient.authenticate(credentials, ip),
      writeLog: (entry) => logWriter.write(entry),
      publishEvent: (event) => publishConfirmed(publisher, event),
      sendMail: (mail, caller, key) => mailClient.send(mail, caller, key),
      mailStatus: (id, principal) => mailClient.status(id, principal),
    },
    idempotency,
    new OverloadHold(config.AUTH_OVERLOAD_HOLD_MS),
  );

  const edge: EdgeAuth = {
    tokens: new TokenVerifier({
      jwksUrl: new URL('/.well-known/jwks.json', config.AUTH_URL),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      cacheMaxAgeMs: config.JWKS_CACHE_MAX_AGE_MS,
      cooldownMs: config.JWKS_COOLDOWN_MS,
      timeoutMs: config.AUTH_TIMEOUT_MS,
      maxCachedTokens: config.TOKEN_CACHE_MAX,
      fetch: meshFetchFn,
    }),
    apiKeys: new ApiKeyVerifier({
      introspect: (key) => authClient.introspectKey(key),
      ttlMs: config.API_KEY_CACHE_TTL_MS,
      maxEntries: config.API_KEY_CACHE_MAX,
    }),
    revocations,
  };
  revocations.onNotice((notice) =>
    edge.apiKeys.forget(
      notice.type === 'key' ? { keyId: notice.key_id } : { userId: notice.user_id },
    ),
  );
  const streams = new StreamGuard({ revocations, maxPerOwner: config.STREAMS_PER_CLIENT });
  lifecycle.onShutdown('streams', () => streams.endAll('broker shutting down'));
  const clientLimit = new RateLimit('client', {
    points: config.RATE_LIMIT_POINTS,
    windowSeconds: config.RATE_LIMIT_WINDOW_S,
  });
  const authLimit = new RateLimit('auth', {
    points: config.AUTH_RATE_LIMIT_POINTS,
    windowSeconds: config.AUTH_RATE_LIMIT_WINDOW_S,
  });

  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    // The access table is case-sensitive: so are the routes it guards. A trailing slash stays
    // allowed (the table reads `/x/` as `/x`), and proxied requests go on in their one spelling.
    routing: { caseSensitive: true },
    beforeBody: (app) => mountBeforeBody(app, config.CORS_ORIGINS),
    routes: (app) =>
      mountRoutes(app, {
        actions,
        deadLetters,
        edge,
        clientLimit,
        authLimit,
        streams,
        mailAction: mailActionSchema(senderPolicy(config.MAIL_FROM, config.MAIL_FROM_ALLOWLIST)),
        health: {
          services: [
            { name: 'auth', url: config.AUTH_URL },
            { name: 'logger', url: config.LOGGER_URL },
            { name: 'mail', url: config.MAIL_URL },
            { name: 'listener', url: config.LISTENER_URL },
          ],
          ownChecks: { rabbitmq: amqp.healthCheck(), postgres: brokerDbCheck },
          timeoutMs: config.HEALTH_TIMEOUT_MS,
          fetch: meshFetchFn,
        },
        proxy: {
          logger: { downstream: loggerService, baseUrl: config.LOGGER_URL },
          auth: { downstream: authService, baseUrl: config.AUTH_URL },
          headersTimeoutMs: config.PROXY_TIMEOUT_MS,
          httpsAgent,
        },
      }),
  });
}
