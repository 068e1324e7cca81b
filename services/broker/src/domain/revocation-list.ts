import type { RevocationNotice } from '@micromesh/contracts';

type Listener = (notice: RevocationNotice) => void;

/**
 * What this broker knows of revoked credentials: per user, the least token version still valid
 * (from auth's notices and its catch-up list). Until the first catch-up has succeeded, `ready` is
 * false and tokens are not accepted (the broker cannot know what it missed while it was away).
 */
export class RevocationList {
  private readonly minVersions = new Map<string, { min: number; at: number }>();
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

  /** A live notice: recorded (never lowering a known version) and passed to every listener. */
  apply(notice: RevocationNotice): void {
    if (notice.type === 'user') this.raise(notice.user_id, notice.min_version);
    for (const listener of this.listeners) listener(notice);
  }

  /**
   * A catch-up list from auth (every revocation of the last `windowSeconds`): merged, and announced
   * for what it changes. Entries older than the window concern only expired tokens and are dropped.
   */
  merge(
    revocations: readonly { user_id: string; min_version: number }[],
    windowSeconds: number,
    now = Date.now(),
  ): void {
    for (const r of revocations) {
      if ((this.minVersions.get(r.user_id)?.min ?? -Infinity) < r.min_version) {
        this.apply({ type: 'user', user_id: r.user_id, min_version: r.min_version });
      }
    }
    const listed = new Set(revocations.map((r) => r.user_id));
    for (const [userId, entry] of this.minVersions) {
      if (!listed.has(userId) && now - entry.at > windowSeconds * 1000) {
        this.minVersions.delete(userId);
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
