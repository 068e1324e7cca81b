import type { RevocationNotice } from '@micromesh/contracts';

type Listener = (notice: RevocationNotice) => void;

/** Auth's catch-up list: revocations of the last `window_seconds` (or since a cursor). */
export interface CatchUp {
  revocations: readonly { user_id: string; min_version: number }[];
  /** API keys revoked in the same span. */
  key_ids: readonly string[];
  window_seconds: number;
}

/**
 * What this broker knows of revoked credentials: per user, the least token version still valid,
 * and the API keys revoked lately (from auth's notices and its catch-up list). Until the first
 * catch-up has succeeded, `ready` is false and tokens are not accepted (the broker cannot know what
 * it missed while it was away).
 */
export class RevocationList {
  private readonly minVersions = new Map<string, { min: number; at: number }>();
  /** Key id → when this broker learnt of its revocation. */
  private readonly revokedKeys = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private loaded = false;

  get ready(): boolean {
    return this.loaded;
  }

  get size(): number {
    return this.minVersions.size;
  }

  /** True when a token of `userId` with this `ver` has been revoked. */
  isRevoked(userId: string, version: number): boolean {
    const entry = this.minVersions.get(userId);
    return entry !== undefined && version < entry.min;
  }

  /** True when auth has revoked this API key (an answer cached before must not be used). */
  isKeyRevoked(keyId: string): boolean {
    return this.revokedKeys.has(keyId);
  }

  /** A live notice: recorded (never lowering a known version) and passed to every listener. */
  apply(notice: RevocationNotice): void {
    if (notice.type === 'user') this.raise(notice.user_id, notice.min_version);
    else this.revokedKeys.set(notice.key_id, Date.now());
    for (const listener of this.listeners) listener(notice);
  }

  /**
   * A catch-up list from auth (every revocation of the last `window_seconds`, or only those since
   * a cursor): merged, and announced for what it changes. Entries learnt longer than the window ago
   * concern only expired tokens (and keys long dropped from every cache) and are dropped.
   */
  merge({ revocations, key_ids, window_seconds }: CatchUp, now = Date.now()): void {
    for (const r of revocations) {
      if ((this.minVersions.get(r.user_id)?.min ?? -Infinity) < r.min_version) {
        this.apply({ type: 'user', user_id: r.user_id, min_version: r.min_version });
      }
    }
    for (const keyId of key_ids) {
      if (!this.revokedKeys.has(keyId)) this.apply({ type: 'key', key_id: keyId });
    }
    const listedUsers = new Set(revocations.map((r) => r.user_id));
    for (const [userId, entry] of this.minVersions) {
      if (!listedUsers.has(userId) && now - entry.at > window_seconds * 1000) {
        this.minVersions.delete(userId);
      }
    }
    const listedKeys = new Set(key_ids);
    for (const [keyId, at] of this.revokedKeys) {
      if (!listedKeys.has(keyId) && now - at > window_seconds * 1000) {
        this.revokedKeys.delete(keyId);
      }
    }
    this.loaded = true;
  }

  /** Told of every notice (e.g. to end live streams of a revoked user). Returns an unsubscribe. */
  onNotice(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private raise(userId: string, minVersion: number): void {
    if ((this.minVersions.get(userId)?.min ?? -Infinity) < minVersion) {
      this.minVersions.set(userId, { min: minVersion, at: Date.now() });
    }
  }
}
