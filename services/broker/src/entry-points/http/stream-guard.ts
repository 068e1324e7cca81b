import { AppError } from '@micromesh/kit';
import { type RevocationNotice } from '@micromesh/contracts';
import type { RequestHandler, Response } from 'express';
import type { Principal } from '../../domain/principal';
import type { RevocationList } from '../../domain/revocation-list';
import { matchedRouteOf } from './access-guard';
import { principalOf } from './authenticate';

export interface StreamGuardOptions {
  revocations: RevocationList;
  /** Concurrent long-lived streams (live tails) one user may hold, across its sessions and keys. */
  maxPerOwner: number;
}

/** Why a stream was ended by the broker. */
export type StreamEndReason = 'token expired' | 'credential revoked' | 'broker shutting down';

const SIGNAL_KEY = 'streamEnd';

/**
 * Long-lived streams end when their credential does: at the token's expiry, and at once when auth
 * revokes it (a user notice raising the version past the token's, or any notice about the key or
 * its owner: the client reconnects and is checked afresh). Each user holds at most `maxPerOwner`
 * at once, counted across its token sessions and API keys alike (429 beyond), so minting keys does
 * not multiply it. The proxy reads the end signal from `streamEndSignal()`.
 */
export class StreamGuard {
  private readonly open = new Map<string, Set<AbortController>>();

  constructor(private readonly options: StreamGuardOptions) {}

  /**
   * Middleware before the proxy, after `guardByTable`: applies to requests admitted under the
   * access-table row with this path (e.g. `/api/logs/stream`), whatever spelling they came in.
   * Without a matched row it refuses (500) rather than let a stream through unguarded.
   */
  middleware(rulePath: string): RequestHandler {
    return (_req, res, next) => {
      try {
        const matched = matchedRouteOf(res);
        if (!matched) throw new Error('the stream guard runs after the access-table guard');
        if (matched.rule.path === rulePath) this.admit(principalOf(res), res);
        next();
      } catch (err) {
        next(err);
      }
    };
  }

  /** Ends every open stream (shutdown). */
  endAll(reason: StreamEndReason): void {
    for (const set of this.open.values()) for (const c of set) c.abort(reason);
  }

  /** Streams open for one owner (`user:<id>`). */
  count(owner: string): number {
    return this.open.get(owner)?.size ?? 0;
  }

  private admit(principal: Principal, res: Response): void {
    const held = this.open.get(principal.owner) ?? new Set<AbortController>();
    if (held.size >= this.options.maxPerOwner) {
      throw AppError.tooManyRequests(
        5,
        `at most ${this.options.maxPerOwner} concurrent streams per user (its sessions and API keys together)`,
      );
    }
    const control = new AbortController();
    held.add(control);
    this.open.set(principal.owner, held);
    res.locals[SIGNAL_KEY] = control.signal;

    const timers: NodeJS.Timeout[] = [];
    if (principal.expiresAt !== undefined) {
      const expire = () => {
        const left = principal.expiresAt! - Date.now();
        // setTimeout caps at ~24.8 days; re-arm for longer (never the case for 15-min tokens).
        if (left <= 0) control.abort('token expired' satisfies StreamEndReason);
        else timers.push(setTimeout(expire, Math.min(left, 2 ** 31 - 1)));
      };
      expire();
    }
    const unsubscribe = this.options.revocations.onNotice((notice) => {
      if (ends(principal, notice)) control.abort('credential revoked' satisfies StreamEndReason);
    });
    res.once('close', () => {
      for (const t of timers) clearTimeout(t);
      unsubscribe();
      held.delete(control);
      if (held.size === 0) this.open.delete(principal.owner);
    });
  }
}

function ends(principal: Principal, notice: RevocationNotice): boolean {
  if (notice.type === 'key') return principal.clientKey === `key:${notice.key_id}`;
  if (notice.user_id !== principal.subject) return false;
  if (principal.version === undefined) return true; // an API key of this user: re-check it
  return principal.version < notice.min_version;
}

/** The signal a streaming proxy watches to end the stream (undefined for other routes). */
export function streamEndSignal(res: Response): AbortSignal | undefined {
  return res.locals[SIGNAL_KEY] as AbortSignal | undefined;
}
