import type { AppError } from '@micromesh/kit';
import { ApiKeyVerifier } from '../src/adapters/api-key-verifier';
import type { KeyIntrospection } from '../src/adapters/auth-client';

/** Auth's introspection as a table of keys, counting how often each key is asked about. */
function introspection(active: Record<string, { sub: string; keyId: string }>) {
  const asked = new Map<string, number>();
  const introspect = async (key: string): Promise<KeyIntrospection> => {
    asked.set(key, (asked.get(key) ?? 0) + 1);
    const known = active[key];
    return known
      ? { active: true, sub: known.sub, role: 'user', scopes: ['logs:write'], key_id: known.keyId }
      : { active: false };
  };
  return { introspect, asked: (key: string) => asked.get(key) ?? 0 };
}

const KEYS = {
  mm_a: { sub: 'user-a', keyId: 'ka' },
  mm_b: { sub: 'user-b', keyId: 'kb' },
  mm_c: { sub: 'user-c', keyId: 'kc' },
};

const elapse = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ApiKeyVerifier cache (bounded, expiring answers of auth’s introspection)', () => {
  it('When a key is used twice within the TTL, then auth is asked once', async () => {
    const auth = introspection(KEYS);
    const verifier = new ApiKeyVerifier({ ...auth, ttlMs: 60_000, maxEntries: 10 });

    const first = await verifier.verify('mm_a');
    const second = await verifier.verify('mm_a');

    expect(second).toEqual(first);
    expect(first.clientKey).toBe('key:ka');
    expect(auth.asked('mm_a')).toBe(1);
  });

  it('When an unknown key is used twice, then both are 401 and auth is asked once (negative answers are cached)', async () => {
    const auth = introspection(KEYS);
    const verifier = new ApiKeyVerifier({ ...auth, ttlMs: 60_000, maxEntries: 10 });

    for (let i = 0; i < 2; i++) {
      await expect(verifier.verify('mm_unknown')).rejects.toMatchObject({
        status: 401,
        message: 'invalid API key',
      } satisfies Partial<AppError>);
    }
    expect(auth.asked('mm_unknown')).toBe(1);
  });

  it('When the TTL has passed, then auth is asked again', async () => {
    const auth = introspection(KEYS);
    const verifier = new ApiKeyVerifier({ ...auth, ttlMs: 30, maxEntries: 10 });

    await verifier.verify('mm_a');
    await elapse(60);
    await verifier.verify('mm_a');

    expect(auth.asked('mm_a')).toBe(2);
  });

  it('When a key expires before the TTL, then its cached answer ends at the key’s expiry and the principal carries it', async () => {
    const expiresAt = new Date(Date.now() + 40);
    const introspect = async (): Promise<KeyIntrospection> => ({
      active: Date.now() < expiresAt.getTime(),
      sub: 'user-a',
      role: 'user',
      scopes: ['logs:read'],
      key_id: 'ka',
      expires_at: expiresAt.toISOString(),
    });
    const verifier = new ApiKeyVerifier({ introspect, ttlMs: 60_000, maxEntries: 10 });

    const principal = await verifier.verify('mm_a');
    await elapse(80);

    expect(principal.expiresAt).toBe(expiresAt.getTime());
    expect(principal.keyId).toBe('ka');
    await expect(verifier.verify('mm_a')).rejects.toMatchObject({ status: 401 });
  });

  it('When the TTL is 0, then nothing is cached', async () => {
    const auth = introspection(KEYS);
    const verifier = new ApiKeyVerifier({ ...auth, ttlMs: 0, maxEntries: 10 });

    await verifier.verify('mm_a');
    await verifier.verify('mm_a');

    expect(auth.asked('mm_a')).toBe(2);
  });

  it('When the cache is full, then the least recently used key is dropped, not a recently used one', async () => {
    const auth = introspection(KEYS);
    const verifier = new ApiKeyVerifier({ ...auth, ttlMs: 60_000, maxEntries: 2 });

    await verifier.verify('mm_a');
    await verifier.verify('mm_b');
    await verifier.verify('mm_a'); // a is now more recent than b
    await verifier.verify('mm_c'); // full: b goes
    await verifier.verify('mm_a');
    await verifier.verify('mm_b');

    expect([auth.asked('mm_a'), auth.asked('mm_b'), auth.asked('mm_c')]).toEqual([1, 2, 1]);
  });

  it('When a key or a user is forgotten, then only its answers are asked for again', async () => {
    const auth = introspection(KEYS);
    const verifier = new ApiKeyVerifier({ ...auth, ttlMs: 60_000, maxEntries: 10 });
    for (const key of ['mm_a', 'mm_b', 'mm_c']) await verifier.verify(key);

    verifier.forget({ keyId: 'ka' });
    verifier.forget({ userId: 'user-b' });
    for (const key of ['mm_a', 'mm_b', 'mm_c']) await verifier.verify(key);

    expect([auth.asked('mm_a'), auth.asked('mm_b'), auth.asked('mm_c')]).toEqual([2, 2, 1]);
  });
});
