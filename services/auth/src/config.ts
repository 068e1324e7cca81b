import { availableCpus, baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

const optionalText = z.string().min(1).optional();

/** All CPUs the container may use but one (the event loop's), at least one. */
export function defaultHashConcurrency(cpus: number = availableCpus()): number {
  return Math.max(1, cpus - 1);
}

export const authConfigSchema = z
  .object({
    ...baseEnvShape,
    PORT: env.port(8082),
    /** PostgreSQL holding users, API keys and the failed-login counters. */
    AUTH_DATABASE_URL: z.url(),
    /** RabbitMQ for the `authentication` event; unset = no events (logins still work). */
    AMQP_URL: z.url().optional(),
    /** Directory of Ed25519 PKCS#8 PEM private keys; the last file name (sorted) signs. */
    AUTH_JWT_KEYS_DIR: z.string().min(1),
    AUTH_JWT_ISSUER: z.string().min(1).default('micromesh-auth'),
    AUTH_JWT_AUDIENCE: z.string().min(1).default('micromesh'),
    /** Access tokens live at most 15 minutes: there is no revocation list for them. */
    AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(900).default(900),
    /** bcrypt work factor; 4 only makes sense in tests. */
    AUTH_BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    /**
     * bcrypt hashes/compares run at once (default: all CPUs but one, at least one — CPUs as the
     * container's CPU limit allows, not the node's cores, or throttled hashes outlast the broker's
     * deadline), and how many more may wait; beyond that a login gets 503 + Retry-After instead of starving the machine.
     * 8 waiting at cost 12 (~0.25 s each) is about 2 s: within the broker's 3 s deadline.
     */
    AUTH_HASH_CONCURRENCY: env.int(defaultHashConcurrency(), 1),
    AUTH_HASH_QUEUE_MAX: env.int(8, 0),
    AUTH_SEED_ADMIN_EMAIL: optionalText,
    AUTH_SEED_ADMIN_PASSWORD: optionalText,
    /** Failed logins allowed per email+client IP within the window, then 429. */
    AUTH_LOGIN_MAX_FAILS_PER_EMAIL_IP: env.int(5, 1),
    /** Failed logins allowed per client IP (any email) within the window, then 429. */
    AUTH_LOGIN_MAX_FAILS_PER_IP: env.int(50, 1),
    AUTH_LOGIN_FAIL_WINDOW_SECONDS: env.int(900, 1),
    /**
     * Which peers may tell us the client IP in X-Forwarded-For (express `trust proxy`). The broker
     * is the only caller: loopback natively, a private address in compose and Kubernetes.
     */
    AUTH_TRUST_PROXY: z.string().min(1).default('loopback, linklocal, uniquelocal'),
  })
  .refine((c) => Boolean(c.AUTH_SEED_ADMIN_EMAIL) === Boolean(c.AUTH_SEED_ADMIN_PASSWORD), {
    message: 'set both AUTH_SEED_ADMIN_EMAIL and AUTH_SEED_ADMIN_PASSWORD, or neither',
    path: ['AUTH_SEED_ADMIN_PASSWORD'],
  });

export type AuthConfig = z.infer<typeof authConfigSchema>;

export function loadAuthConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(authConfigSchema, source);
}
