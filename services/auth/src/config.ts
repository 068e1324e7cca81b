import { availableCpus, baseEnvShape, env, loadConfig, tlsEnvShape } from '@micromesh/kit';
import { z } from 'zod';

const optionalText = z.string().min(1).optional();

/** All CPUs the container may use but one (the event loop's), at least one. */
export function defaultHashConcurrency(cpus: number = availableCpus()): number {
  return Math.max(1, cpus - 1);
}

export const authConfigSchema = z
  .object({
    ...baseEnvShape,
    ...tlsEnvShape,
    PORT: env.port(8082),
    /** PostgreSQL holding users, API keys and the failed-login counters. */
    AUTH_DATABASE_URL: z.url(),
    /** RabbitMQ for the `authentication` event; unset = no events (logins still work). */
    AMQP_URL: z.url().optional(),
    /** Directory of Ed25519 PKCS#8 PEM private keys; the last file name (sorted) signs. */
    AUTH_JWT_KEYS_DIR: z.string().min(1),
    AUTH_JWT_ISSUER: z.string().min(1).default('micromesh-auth'),
    AUTH_JWT_AUDIENCE: z.string().min(1).default('micromesh'),
    /**
     * Access tokens live at most 15 minutes. Revocation is announced to the brokers at once; the
     * short life bounds what a broker that missed a notice and could not catch up would accept.
     */
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
    /**
     * The nice value (0–19) bcrypt's threads run at: a login burst then takes the CPU only when the
     * rest of the mesh does not want it (the burst row of scripts/bench). 0 = the same priority.
     */
    AUTH_HASH_NICE: z.coerce.number().int().min(0).max(19).default(10),
    AUTH_SEED_ADMIN_EMAIL: optionalText,
    AUTH_SEED_ADMIN_PASSWORD: optionalText,
    /** Failed logins allowed per email+client IP within the window, then 429. */
    AUTH_LOGIN_MAX_FAILS_PER_EMAIL_IP: env.int(5, 1),
    /** Failed logins allowed per client IP (any email) within the window, then 429. */
    AUTH_LOGIN_MAX_FAILS_PER_IP: env.int(50, 1),
    AUTH_LOGIN_FAIL_WINDOW_SECONDS: env.int(900, 1),
    /**
     * Per account, from every address: failures allowed without delay, then a wait before the next
     * attempt of BASE·2^(n-free) ms, capped (no lockout). Failures older than the window are forgotten.
     */
    AUTH_LOGIN_ACCOUNT_FREE_FAILS: env.int(5, 0),
    AUTH_LOGIN_ACCOUNT_BASE_DELAY_MS: env.int(1_000, 1),
    AUTH_LOGIN_ACCOUNT_MAX_DELAY_MS: env.int(300_000, 1),
    /**
     * Live (neither revoked nor expired) API keys one user may hold; creating one more is 409.
     * Budgets are the user's whatever the number of keys; this keeps the credentials to watch and
     * revoke few.
     */
    AUTH_MAX_KEYS_PER_USER: env.int(20, 1),
    /** How often the keys directory is reread, so a new signing key needs no restart. 0 = never. */
    AUTH_JWT_RELOAD_MS: env.int(5_000, 0),
    /**
     * Which peers may tell us the client IP in X-Forwarded-For (express `trust proxy`): the broker
     * only. Natively that is loopback; compose and Kubernetes name the broker's address or subnet.
     * Anyone else's X-Forwarded-For is ignored (their socket address is the client).
     */
    AUTH_TRUST_PROXY: z
      .string()
      .min(1)
      .default('loopback')
      .refine((v) => v.trim() !== 'true', 'AUTH_TRUST_PROXY=true would trust every caller'),
  })
  .refine((c) => Boolean(c.AUTH_SEED_ADMIN_EMAIL) === Boolean(c.AUTH_SEED_ADMIN_PASSWORD), {
    message: 'set both AUTH_SEED_ADMIN_EMAIL and AUTH_SEED_ADMIN_PASSWORD, or neither',
    path: ['AUTH_SEED_ADMIN_PASSWORD'],
  });

export type AuthConfig = z.infer<typeof authConfigSchema>;

export function loadAuthConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(authConfigSchema, source);
}
