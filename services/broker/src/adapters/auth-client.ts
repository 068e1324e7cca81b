import { AppError, type Envelope } from '@micromesh/kit';
import { isScope, ROLES, type Scope } from '@micromesh/contracts';
import { z } from 'zod';
import type { AuthPayload } from '../domain/action-schemas';
import type { Role } from '../domain/principal';
import type { Downstream } from './downstream';
import { callJson, relayClientError } from './http-json';

const introspectionSchema = z.object({
  active: z.boolean(),
  sub: z.string().optional(),
  role: z.enum(ROLES).optional(),
  // Unknown scope names (from a newer auth) are dropped, never granted.
  scopes: z
    .array(z.string())
    .transform((list) => list.filter(isScope))
    .optional(),
  key_id: z.string().optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
});

export interface KeyIntrospection {
  active: boolean;
  sub?: string;
  role?: Role;
  scopes?: Scope[];
  key_id?: string;
  /** ISO time; null or absent: the key does not expire. */
  expires_at?: string | null;
}

const catchUpSchema = z.object({
  window_seconds: z.number().int().positive(),
  revocations: z.array(z.object({ user_id: z.string(), min_version: z.number().int() })),
  // An older auth sends neither: no key revocations to catch up, always the whole list.
  key_ids: z.array(z.string()).default([]),
  cursor: z.string().optional(),
});

export type RevocationCatchUp = z.infer<typeof catchUpSchema>;

/** The auth service, over HTTP: logins and API-key introspection. */
export class AuthClient {
  constructor(
    private readonly baseUrl: string,
    private readonly downstream: Downstream,
    private readonly timeoutMs: number,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  /**
   * 202 with the user and token; auth's 4xx answers (401, 429, 400) are relayed as they are. The
   * client's IP goes along in X-Forwarded-For: auth throttles failed logins per client IP, and
   * without it every client would share the broker's.
   */
  async authenticate(credentials: AuthPayload, clientIp: string): Promise<Envelope> {
    return this.downstream.call(
      async (signal) => {
        const reply = await callJson(`${this.baseUrl}/authenticate`, {
          method: 'POST',
          body: credentials,
          headers: { 'x-forwarded-for': clientIp },
          signal,
          // Auth at capacity (its hashing gate full) answers 503 + Retry-After at once: an answer
          // to relay, not an outage. Counted as one, a login flood opened the breaker, and with it
          // refused API-key checks and the revocation catch-up, which share it.
          answers: [503],
          fetch: this.fetchFn,
        });
        if (reply.status === 401) throw AppError.unauthorized('invalid credentials');
        if (reply.status >= 400) throw relayClientError(reply);
        return reply.body;
      },
      { timeoutMs: this.timeoutMs },
    );
  }

  async introspectKey(key: string): Promise<KeyIntrospection> {
    return this.downstream.call(
      async (signal) => {
        const reply = await callJson(`${this.baseUrl}/internal/keys/introspect`, {
          method: 'POST',
          body: { key },
          signal,
          fetch: this.fetchFn,
        });
        if (reply.status >= 400) return { active: false };
        const parsed = introspectionSchema.safeParse(reply.body.data);
        if (!parsed.success) throw new Error('auth introspection answered an unexpected shape');
        return parsed.data;
      },
      // Introspection only reads, so one retry on a dropped connection is safe.
      { timeoutMs: this.timeoutMs, retryWhen: isConnectionFailure },
    );
  }

  /**
   * Every revocation recent enough to concern an unexpired token, with the recently revoked API
   * keys; with `after` (an earlier answer's cursor), only what is newer.
   */
  async revocations(after?: string): Promise<RevocationCatchUp> {
    const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
    return this.downstream.call(
      async (signal) => {
        const reply = await callJson(`${this.baseUrl}/internal/revocations${query}`, {
          method: 'GET',
          signal,
          fetch: this.fetchFn,
        });
        if (reply.status !== 200) throw new Error(`revocations answered ${reply.status}`);
        return catchUpSchema.parse(reply.body.data);
      },
      { timeoutMs: this.timeoutMs, retryWhen: isConnectionFailure },
    );
  }
}

/** fetch's network failures (refused, reset) surface as a TypeError; aborts (deadlines) do not. */
export function isConnectionFailure(err: Error): boolean {
  return err instanceof TypeError;
}
