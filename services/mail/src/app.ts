import {
  createPgPool,
  createServiceContext,
  loadTlsMaterial,
  openAmqp,
  openPostgres,
  senderPolicy,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { MailConfig } from './config';
import {
  declareMailTopology,
  MAIL_EXCHANGE,
  OUTBOX_QUEUE,
  registerMailTopology,
} from './adapters/amqp/mail-topology';
import { createRetryScheduler } from './adapters/amqp/retry-publisher';
import { AcceptBatcher } from './adapters/postgres/accept-batcher';
import { MessageRepository } from './adapters/postgres/message-repository';
import { mailMigrations, MIGRATIONS_TABLE } from './adapters/postgres/migrations';
import { smtpHealthCheck } from './adapters/smtp/smtp-health';
import { createSmtpGate } from './adapters/smtp/smtp-gate';
import { createSmtpMailer } from './adapters/smtp/smtp-mailer';
import type { DeliveryDeps } from './domain/deliver-message';
import { retryMessage } from './domain/retry-message';
import { acceptMail } from './domain/accept-mail';
import type { NewMessage } from './domain/ports';
import { sweepOutbox } from './domain/sweep-outbox';
import { registerRetryConsumer } from './entry-points/amqp/retry-consumer';
import { mountMessageStatusRoute } from './entry-points/http/message-status-route';
import { mountSendRoute } from './entry-points/http/send-route';
import { startSweeper, type Sweeper } from './entry-points/timers/outbox-sweeper';
import { deliveryCounter, deliveryStateGauges } from './metrics';

export interface MailOverrides {
  logger?: Logger;
}

export interface StartedMail extends StartedHttpService {
  /** Runs one outbox sweep now, instead of waiting for the interval. */
  sweep(): Promise<void>;
}

/** Starts the mail service: accepts mail into a durable outbox and delivers it over SMTP. */
export async function startMail(
  config: MailConfig,
  overrides: MailOverrides = {},
): Promise<StartedMail> {
  const ctx = createServiceContext('mail', config, overrides);
  const { logger, lifecycle, health } = ctx;

  // Requests and background deliveries get pools of their own: a backlog of retries (SMTP down)
  // never makes an incoming mail wait for a connection.
  const pool = await openPostgres(ctx, {
    connectionString: config.MAIL_DATABASE_URL,
    applicationName: 'micromesh-mail',
    max: config.MAIL_PG_POOL_MAX,
    migrations: mailMigrations,
    migrationsTable: MIGRATIONS_TABLE,
  });
  const workerPool = createPgPool({
    connectionString: config.MAIL_DATABASE_URL,
    applicationName: 'micromesh-mail-delivery',
    logger,
    max: config.MAIL_SMTP_MAX_CONNECTIONS + 2,
  });
  lifecycle.onShutdown('postgres-delivery', () => workerPool.end());
  const repository = new MessageRepository(pool);
  const deliveries = new MessageRepository(workerPool);

  const mailer = createSmtpMailer({
    host: config.MAIL_HOST,
    port: config.MAIL_PORT,
    encryption: config.MAIL_ENCRYPTION,
    username: config.MAIL_USERNAME,
    password: config.MAIL_PASSWORD,
    fromName: config.FROM_NAME,
    defaultFrom: config.MAIL_FROM,
    timeoutMs: config.MAIL_SMTP_TIMEOUT_MS,
    maxConnections: config.MAIL_SMTP_MAX_CONNECTIONS,
  });
  lifecycle.onShutdown('smtp', () => mailer.close());
  // Mail is still accepted (and queued) while SMTP is down: reported, not required.
  health.addCheck('smtp', smtpHealthCheck(mailer), { required: false });

  const { connection, publisher } = openAmqp(ctx, {
    url: config.AMQP_URL,
    name: 'mail',
    topology: (c) => registerMailTopology(c, config.MAIL_RETRY_DELAYS_MS),
    publisher: { exchange: MAIL_EXCHANGE, exchangeType: 'direct' },
  });
  const gate = createSmtpGate(() => mailer.verify(), config.MAIL_SMTP_PROBE_MS, logger);
  lifecycle.onShutdown('smtp-gate', () => gate.close());
  const deps: DeliveryDeps = {
    store: deliveries,
    gate,
    mailer,
    scheduler: createRetryScheduler(publisher),
    policy: { delaysMs: config.MAIL_RETRY_DELAYS_MS, maxAttempts: config.MAIL_MAX_ATTEMPTS },
    senderName: config.FROM_NAME,
    leaseMs: config.MAIL_LEASE_MS,
    logger,
    onOutcome: deliveryCounter(ctx.metrics),
  };
  const consumer = registerRetryConsumer({
    connection,
    queue: OUTBOX_QUEUE,
    declare: (channel) => declareMailTopology(channel, config.MAIL_RETRY_DELAYS_MS),
    logger,
    // One attempt per pooled SMTP connection: a claimed attempt never waits for a connection.
    prefetch: config.MAIL_SMTP_MAX_CONNECTIONS,
    handle: (id, signal) => retryMessage(deps, id, signal),
    requeueDelayMs: 2_000,
  });
  lifecycle.onShutdown('retry-consumer', () => consumer.stop());
  // Queued mail is kept in PostgreSQL when RabbitMQ is down, so RabbitMQ is a detail too. So are
  // a lost outbox consumer (replaced with backoff) and paused deliveries: mail is still accepted
  // and kept; readiness shows them (and /metrics counts them) without taking the replica out.
  health.addCheck('rabbitmq', connection.healthCheck(), { required: false });
  health.addCheck('outbox-consumer', consumer.healthCheck(), { required: false });
  health.addCheck(
    'smtp-deliveries',
    async () => {
      if (gate.pausedBecause) throw new Error(`deliveries paused: ${gate.pausedBecause}`);
    },
    { required: false },
  );
  deliveryStateGauges(ctx.metrics, {
    consuming: () => consumer.consuming,
    paused: () => !gate.isOpen,
  });
  connection.start();

  const sweeper: Sweeper = startSweeper(
    () =>
      sweepOutbox({
        repository: deliveries,
        scheduler: deps.scheduler,
        logger,
        lostAfterMs: config.MAIL_LOST_AFTER_MS,
        deliveriesRunning: () => gate.isOpen,
        batchSize: 500,
      }),
    config.MAIL_SWEEP_INTERVAL_MS,
    logger,
  );
  lifecycle.onShutdown('outbox-sweeper', () => sweeper.stop());

  // Hand-offs of accepted mail to RabbitMQ that outlived their request; shutdown waits for them.
  const background = new Set<Promise<unknown>>();
  lifecycle.onShutdown('background-publishes', () => Promise.allSettled([...background]));
  const track = (attempt: Promise<unknown>) => {
    background.add(attempt);
    void attempt.finally(() => background.delete(attempt));
  };

  const quota = { perMinute: config.MAIL_QUOTA_PER_MINUTE, perDay: config.MAIL_QUOTA_PER_DAY };
  const batcher = new AcceptBatcher(pool, repository, quota, config.MAIL_ACCEPT_MAX_PENDING);
  const acceptDeps = {
    store: {
      accept: (message: NewMessage, signal?: AbortSignal) => batcher.accept(message, signal),
      markNotEnqueued: (id: string) => repository.markNotEnqueued(id),
    },
    scheduler: deps.scheduler,
    logger,
    idempotencyTtlHours: config.IDEMPOTENCY_TTL_HOURS,
    track,
  };

  const started = await startHttpService(ctx, {
    port: config.PORT,
    host: config.HOST,
    bodyLimit: config.BODY_LIMIT,
    tls: loadTlsMaterial(config),
    // /send and message status: the broker relays the `mail` action, after its own checks.
    callers: ['broker'],
    routes: (app) => {
      mountSendRoute(app, {
        senders: senderPolicy(config.MAIL_FROM, config.MAIL_FROM_ALLOWLIST),
        accept: (request) => acceptMail(acceptDeps, request),
      });
      mountMessageStatusRoute(app, { findById: (id) => repository.findById(id) });
    },
  });
  return { ...started, sweep: () => sweeper.runOnce() };
}
