import {
  AmqpConnection,
  EventPublisher,
  createServiceContext,
  ok,
  senderPolicy,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import { createLogServiceClient, logServiceCalls } from '@micromesh/proto';
import type { Express } from 'express';
import { createBrokerMetrics } from './broker-metrics';
import type { BrokerConfig } from './config';
import { BrokerActions } from './domain/broker-actions';
import { mailActionSchema } from './domain/mail-action-schema';
import { AuthClient } from './downstream/auth-client';
import { Downstream } from './downstream/downstream';
import { publishConfirmed } from './downstream/event-sink';
import { LogWriter } from './downstream/log-writer';
import { MailClient } from './downstream/mail-client';
import { ApiKeyVerifier } from './edge/api-key-verifier';
import { requireAuth, requireRole, type EdgeAuth } from './edge/authenticate';
import { RateLimit } from './edge/rate-limits';
import { TokenVerifier } from './edge/token-verifier';
import { corsAllowlist } from './entry-points/http/cors';
import { mountHandleRoutes } from './entry-points/http/handle-routes';
import { mountHealthRoutes } from './entry-points/http/health-routes';
import { mountMailStatusRoute } from './entry-points/http/mail-status-route';
import { openApiDocument } from './entry-points/http/openapi';
import { proxyTo, underPrefix } from './entry-points/http/proxy';

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
  const metrics = createBrokerMetrics(ctx.metrics);
  const breaker = {
    failures: config.BREAKER_FAILURES,
    halfOpenAfterMs: config.BREAKER_HALF_OPEN_MS,
    logger,
    onOpenChange: (name: string, open: boolean) =>
      metrics.circuitOpen.set({ downstream: name }, open ? 1 : 0),
  };
  const authService = new Downstream('auth', breaker);
  const loggerService = new Downstream('logger', breaker);
  const mailService = new Downstream('mail', breaker);

  // One long-lived gRPC channel (HTTP/2, keepalive) for every log write.
  const grpcClient = createLogServiceClient(config.LOGGER_GRPC_ADDRESS);
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
  amqp.start();
  // A normal start is ready for events at once; a RabbitMQ that is down only delays the start by
  // this much (the connection keeps retrying, and events answer 503 until it is up).
  await amqp.waitUntilConnected(config.AMQP_START_WAIT_MS).catch((err: unknown) => {
    logger.warn({ err }, 'RabbitMQ not reachable at start; events answer 503 until it is');
  });

  const authClient = new AuthClient(config.AUTH_URL, authService, config.AUTH_TIMEOUT_MS);
  const mailClient = new MailClient(config.MAIL_URL, mailService, config.MAIL_TIMEOUT_MS);
  const actions = new BrokerActions({
    authenticate: (credentials, ip) => authClient.authenticate(credentials, ip),
    writeLog: (record) => logWriter.write(record),
    publishEvent: (event) => publishConfirmed(publisher, event),
    sendMail: (mail, principal, key) => mailClient.send(mail, principal, key),
    mailStatus: (id, principal) => mailClient.status(id, principal),
  });

  const edge: EdgeAuth = {
    tokens: new TokenVerifier({
      jwksUrl: new URL('/.well-known/jwks.json', config.AUTH_URL),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      cacheMaxAgeMs: config.JWKS_CACHE_MAX_AGE_MS,
      cooldownMs: config.JWKS_COOLDOWN_MS,
      timeoutMs: config.AUTH_TIMEOUT_MS,
      maxCachedTokens: config.TOKEN_CACHE_MAX,
    }),
    apiKeys: new ApiKeyVerifier({
      introspect: (key) => authClient.introspectKey(key),
      ttlMs: config.API_KEY_CACHE_TTL_MS,
      maxEntries: config.API_KEY_CACHE_MAX,
    }),
  };
  const clientLimit = new RateLimit('client', {
    points: config.RATE_LIMIT_POINTS,
    windowSeconds: config.RATE_LIMIT_WINDOW_S,
  });
  const authLimit = new RateLimit('auth', {
    points: config.AUTH_RATE_LIMIT_POINTS,
    windowSeconds: config.AUTH_RATE_LIMIT_WINDOW_S,
  });
  const signedIn = [requireAuth(edge, clientLimit)];
  const admin = [...signedIn, requireRole('admin')];

  const routes = (app: Express) => {
    // Action answers are never cached; hashing every body for an ETag is wasted CPU per request.
    app.set('etag', false);
    app.post('/', (_req, res) => {
      res.json(ok('Hit the broker'));
    });
    app.get('/ping', (_req, res) => {
      res.json(ok('pong'));
    });
    app.get('/openapi.json', (_req, res) => {
      res.json(openApiDocument);
    });
    mountHandleRoutes(app, {
      actions,
      edge,
      clientLimit,
      authLimit,
      mailAction: mailActionSchema(senderPolicy(config.MAIL_FROM, config.MAIL_FROM_ALLOWLIST)),
    });
    mountMailStatusRoute(app, { actions, guard: signedIn });
    mountHealthRoutes(app, {
      services: [
        { name: 'auth', url: config.AUTH_URL },
        { name: 'logger', url: config.LOGGER_URL },
        { name: 'mail', url: config.MAIL_URL },
        { name: 'listener', url: config.LISTENER_URL },
      ],
      ownChecks: { rabbitmq: amqp.healthCheck() },
      timeoutMs: config.HEALTH_TIMEOUT_MS,
      guard: signedIn,
    });
    const headersTimeoutMs = config.PROXY_TIMEOUT_MS;
    app.use(
      '/api/logs',
      ...signedIn,
      proxyTo({
        downstream: loggerService,
        baseUrl: config.LOGGER_URL,
        rewrite: (path) => underPrefix('/logs', path),
        headersTimeoutMs,
        methods: ['GET', 'HEAD'],
      }),
    );
    // Traces hold what requests carried (login events: personal data): admin only until the
    // `traces:read` scope exists.
    app.use(
      '/api/traces',
      ...admin,
      proxyTo({
        downstream: loggerService,
        baseUrl: config.LOGGER_URL,
        rewrite: (path) => underPrefix('/traces', path),
        headersTimeoutMs,
        methods: ['GET', 'HEAD'],
      }),
    );
    for (const resource of ['users', 'keys']) {
      app.use(
        `/api/${resource}`,
        ...admin,
        proxyTo({
          downstream: authService,
          baseUrl: config.AUTH_URL,
          rewrite: (path) => underPrefix(`/api/${resource}`, path),
          headersTimeoutMs,
        }),
      );
    }
  };

  return startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    beforeBody: (app) => {
      app.use(corsAllowlist(config.CORS_ORIGINS));
    },
    routes,
  });
}
