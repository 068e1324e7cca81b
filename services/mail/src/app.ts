import {
  AmqpConnection,
  createPgPool,
  createServiceContext,
  EventPublisher,
  loadTlsMaterial,
  migrate,
  pgHealthCheck,
  startHttpService,
  type Logger,
  type StartedHttpService,
} from '@micromesh/kit';
import type { MailConfig } from './config';
import { MessageRepository } from './data-access/message-repository';
import { mailMigrations, MIGRATIONS_TABLE } from './data-access/migrations';
import type { DeliveryDeps } from './domain/deliver-message';
import { retryMessage } from './domain/retry-message';
import { sendMail } from './domain/send-mail';
import { sweepOutbox } from './domain/sweep-outbox';
import { MAIL_EXCHANGE, registerMailTopology } from './entry-points/amqp/mail-topology';
import { registerRetryConsumer } from './entry-points/amqp/retry-consumer';
import { createRetryScheduler } from './entry-points/amqp/retry-publisher';
import { mountMessageStatusRoute } from './entry-points/http/message-status-route';
import { mountSendRoute } from './entry-points/http/send-route';
import { startSweeper, type Sweeper } from './entry-points/timers/outbox-sweeper';
import { deliveryCounter } from './mail-metrics';
import { smtpHealthCheck } from './smtp/smtp-health';
import { createSmtpMailer } from './smtp/smtp-mailer';

export interface MailOverrides {
  logger?: Logger;
}

export interface StartedMail extends StartedHttpService {
  /** Runs one outbox sweep now, instead of waiting for the interval. */
  sweep(): Promise<void>;
}

/** Starts the mail service: sends mail over SMTP, with a durable retry queue. */
export async function startMail(
  config: MailConfig,
  overrides: MailOverrides = {},
): Promise<StartedMail> {
  const ctx = createServiceContext('mail', config, overrides);
  const { logger, lifecycle, health } = ctx;

  const pool = createPgPool({
    connectionString: config.MAIL_DATABASE_URL,
    applicationName: 'micromesh-mail',
    logger,
  });
  lifecycle.onShutdown('postgres', () => pool.end());
  try {
    await migrate({ pool, migrations: mailMigrations, logger, table: MIGRATIONS_TABLE });
  } catch (err) {
    await lifecycle.shutdown('start-up failed');
    throw err;
  }
  const repository = new MessageRepository(pool);
  health.addCheck('postgres', pgHealthCheck(pool));

  const mailer = createSmtpMailer({
    host: config.MAIL_HOST,
    port: config.MAIL_PORT,
    encryption: config.MAIL_ENCRYPTION,
    username: config.MAIL_USERNAME,
    password: config.MAIL_PASSWORD,
    fromName: config.FROM_NAME,
    defaultFrom: config.FROM_ADDRESS,
    timeoutMs: config.MAIL_SMTP_TIMEOUT_MS,
    maxConnections: config.MAIL_SMTP_MAX_CONNECTIONS,
  });
  lifecycle.onShutdown('smtp', () => mailer.close());
  // Mail is still accepted (and queued) while SMTP is down: reported, not required.
  health.addCheck('smtp', smtpHealthCheck(mailer), { required: false });

  const connection = new AmqpConnection({ url: config.AMQP_URL, logger, name: 'mail' });
  registerMailTopology(connection, config.MAIL_RETRY_DELAYS_MS);
  const publisher = new EventPublisher({
    connection,
    exchange: MAIL_EXCHANGE,
    exchangeType: 'direct',
  });
  const deps: DeliveryDeps = {
    store: repository,
    mailer,
    scheduler: createRetryScheduler(publisher),
    policy: { delaysMs: config.MAIL_RETRY_DELAYS_MS, maxAttempts: config.MAIL_MAX_ATTEMPTS },
    senderName: config.FROM_NAME,
    logger,
    onOutcome: deliveryCounter(ctx.metrics),
  };
  const consumer = registerRetryConsumer({
    connection,
    logger,
    prefetch: 10,
    handle: (id) => retryMessage(deps, id),
    requeueDelayMs: 2_000,
  });
  lifecycle.onShutdown('amqp', () => connection.close());
  lifecycle.onShutdown('amqp-publisher', () => publisher.close());
  lifecycle.onShutdown('retry-consumer', () => consumer.stop());
  // Queued mail is kept in PostgreSQL when RabbitMQ is down, so RabbitMQ is a detail too.
  health.addCheck('rabbitmq', connection.healthCheck(), { required: false });
  connection.start();

  const sweeper: Sweeper = startSweeper(
    () =>
      sweepOutbox({
        repository,
        scheduler: deps.scheduler,
        logger,
        staleSendingMs: config.MAIL_STALE_SENDING_MS,
        batchSize: 500,
      }),
    config.MAIL_SWEEP_INTERVAL_MS,
    logger,
  );
  lifecycle.onShutdown('outbox-sweeper', () => sweeper.stop());

  // First attempts that outlived their request; shutdown lets them record their outcome.
  const background = new Set<Promise<unknown>>();
  lifecycle.onShutdown('background-attempts', () => Promise.allSettled([...background]));
  const track = (attempt: Promise<unknown>) => {
    background.add(attempt);
    void attempt.finally(() => background.delete(attempt));
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
        defaultFrom: config.FROM_ADDRESS,
        send: (content, key) =>
          sendMail({ ...deps, maxWaitMs: config.MAIL_SEND_WAIT_MS, track }, content, key),
      });
      mountMessageStatusRoute(app, { findById: (id) => repository.findById(id) });
    },
  });
  return { ...started, sweep: () => sweeper.runOnce() };
}
