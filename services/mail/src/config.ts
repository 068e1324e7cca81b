import { baseEnvShape, env, loadConfig, tlsEnvShape } from '@micromesh/kit';
import { z } from 'zod';
import { plainAddress } from './domain/address';

export const mailConfigSchema = z
  .object({
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
    FROM_ADDRESS: plainAddress.default('noreply@micromesh.local'),
    /** PostgreSQL database holding every message, its status and its idempotency key. */
    MAIL_DATABASE_URL: z.string().min(1),
    /** RabbitMQ for the durable retry queue. */
    AMQP_URL: z.string().min(1),
    /** Connect, greeting and socket timeout of one SMTP attempt. */
    MAIL_SMTP_TIMEOUT_MS: env.int(10_000, 100),
    /** Longest POST /send waits for SMTP before answering "queued" (below the broker's deadline). */
    MAIL_SEND_WAIT_MS: env.int(3_000, 1),
    MAIL_SMTP_MAX_CONNECTIONS: env.int(5, 1),
    /** Delay before retry n (the last one repeats): one RabbitMQ delay queue per distinct value. */
    MAIL_RETRY_DELAYS_MS: env
      .list(['5000', '30000', '120000', '600000'])
      .transform((list) => list.map(Number))
      .pipe(z.array(z.number().int().min(10)).min(1)),
    /** After this many failed attempts a message is marked failed instead of retried again. */
    MAIL_MAX_ATTEMPTS: env.int(200, 1),
    /** How often stored-but-unqueued messages are (re)handed to RabbitMQ. */
    MAIL_SWEEP_INTERVAL_MS: env.int(15_000, 50),
    /** A message left "sending" this long (a crash mid-send) is retried: the at-least-once window. */
    MAIL_STALE_SENDING_MS: env.int(120_000, 100),
  })
  .refine((c) => c.MAIL_STALE_SENDING_MS >= 6 * c.MAIL_SMTP_TIMEOUT_MS, {
    // One attempt has several SMTP steps, each bounded by the timeout; a live attempt must never
    // be mistaken for an interrupted one.
    message: 'must be at least 6 × MAIL_SMTP_TIMEOUT_MS',
    path: ['MAIL_STALE_SENDING_MS'],
  });

export type MailConfig = z.infer<typeof mailConfigSchema>;

export function loadMailConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(mailConfigSchema, source);
}
