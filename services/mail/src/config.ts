import { plainAddress } from '@micromesh/contracts';
import { baseEnvShape, env, loadConfig, tlsEnvShape } from '@micromesh/kit';
import { z } from 'zod';

export const mailConfigSchema = z.object({
  ...baseEnvShape,
  ...tlsEnvShape,
  PORT: env.port(8084),
  MAIL_HOST: z.string().min(1).default('127.0.0.1'),
  MAIL_PORT: env.port(1025),
  /** none = plain SMTP; tls = STARTTLS required; ssl = implicit TLS (usually port 465). */
  MAIL_ENCRYPTION: z.enum(['none', 'tls', 'ssl']).default('none'),
  MAIL_USERNAME: z.string().optional(),
  MAIL_PASSWORD: z.string().optional(),
  FROM_NAME: z
    .string()
    .max(100)
    .refine((v) => !/[\r\n"<>]/.test(v), 'must not contain line breaks, quotes or angle brackets')
    .default('micromesh'),
  /** The sender of every mail unless the caller names one on MAIL_FROM_ALLOWLIST. */
  MAIL_FROM: plainAddress.default('noreply@micromesh.local'),
  /** Other senders a caller may name in `from`; anything else is refused (no open relay). */
  MAIL_FROM_ALLOWLIST: env.list([]).pipe(z.array(plainAddress)),
  /** Mails one principal may send per UTC minute and per UTC day (shared by every replica). */
  MAIL_QUOTA_PER_MINUTE: env.int(20, 1),
  MAIL_QUOTA_PER_DAY: env.int(500, 1),
  /** How long an Idempotency-Key is remembered; after that the key may be used again. */
  IDEMPOTENCY_TTL_HOURS: env.int(24, 1),
  /** PostgreSQL database holding every message, its status and its idempotency key. */
  MAIL_DATABASE_URL: z.string().min(1),
  /** PostgreSQL connections for requests (deliveries have their own, one per SMTP connection). */
  MAIL_PG_POOL_MAX: env.int(20, 1),
  /**
   * Requests allowed to wait for an accept round; beyond it `POST /send` answers 503 at once (a
   * stalled database must not grow the queue without bound).
   */
  MAIL_ACCEPT_MAX_PENDING: env.int(1000, 1),
  /** RabbitMQ for the durable outbox and retry queues. */
  AMQP_URL: z.string().min(1),
  /** Connect, greeting and socket timeout of one SMTP attempt. */
  MAIL_SMTP_TIMEOUT_MS: env.int(10_000, 100),
  /** While SMTP is unreachable, deliveries pause and one probe runs this often. */
  MAIL_SMTP_PROBE_MS: env.int(5_000, 50),
  /** Pooled SMTP connections; also how many attempts one replica runs at once. */
  MAIL_SMTP_MAX_CONNECTIONS: env.int(5, 1),
  /**
   * A claimed attempt holds its message for this long and renews the claim every third of it
   * while it runs; a claim that is not renewed (the worker died) lets another worker retry.
   */
  MAIL_LEASE_MS: env.int(30_000, 300),
  /** Delay before retry n (the last one repeats): one RabbitMQ delay queue per distinct value. */
  MAIL_RETRY_DELAYS_MS: env
    .list(['5000', '30000', '120000', '600000'])
    .transform((list) => list.map(Number))
    .pipe(z.array(z.number().int().min(10)).min(1)),
  /** After this many failed attempts a message is marked failed instead of retried again. */
  MAIL_MAX_ATTEMPTS: env.int(200, 1),
  /** How often stored-but-unqueued messages are (re)handed to RabbitMQ. */
  MAIL_SWEEP_INTERVAL_MS: env.int(15_000, 50),
  /** A queued message overdue by this long although it is on RabbitMQ: its queue message was lost. */
  MAIL_LOST_AFTER_MS: env.int(120_000, 100),
});

export type MailConfig = z.infer<typeof mailConfigSchema>;

export function loadMailConfig(source: Record<string, string | undefined> = process.env) {
  // FROM_ADDRESS is the older name of MAIL_FROM; deployments that still set it keep working.
  const withAlias = { ...source, MAIL_FROM: source.MAIL_FROM ?? source.FROM_ADDRESS };
  return loadConfig(mailConfigSchema, withAlias);
}
