interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A small in-memory cache with a per-entry expiry and a size bound. A Map keeps insertion order,
 * so evicting its first key drops the oldest entry without a separate list; a hit re-inserts the
 * entry so frequently used keys stay (least-recently-used eviction).
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (expiresAt <= Date.now()) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt });
  }

  deleteWhere(predicate: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (predicate(entry.value)) this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
