import { AppError, parseInput } from '@micromesh/kit';
import { intersectScopes, scopesOfRole, type Scope } from '@micromesh/contracts';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-key-secret';
import { isKeyActive, toPublicApiKey, type PublicApiKey } from './api-key';
import { createApiKeySchema, idSchema, introspectSchema, listApiKeysSchema } from './input-schemas';
import type { ApiKeyStore, RevocationAnnouncer } from './ports';
import { hasScope, requireSession, type Principal } from './principal';
import { lesserRole, type Role } from './user';

/** last_used_at is written at most this often per key. */
const LAST_USED_GRANULARITY_SECONDS = 60;

export type Introspection =
  | { active: false }
  | {
      active: true;
      sub: string;
      role: Role;
      scopes: Scope[];
      email: string;
      key_id: string;
      name: string;
      expires_at: string | null;
    };

export interface ApiKeyPage {
  api_keys: PublicApiKey[];
  limit: number;
  offset: number;
}

/**
 * API keys: created for the caller (signed in with a token, never with a key) with a subset of the
 * caller's scopes, at most `maxLivePerUser` live at once per user, shown once, listed, revoked,
 * introspected by the broker. A user manages its own keys; `keys:admin` manages all.
 * (Budgets — the broker's rate limit, live tails, the mail quota — are the owner's, shared by all
 * its keys; the cap keeps the number of credentials to watch and revoke small.)
 */
export class ApiKeys {
  constructor(
    private readonly repo: ApiKeyStore,
    private readonly revocations: RevocationAnnouncer,
    private readonly maxLivePerUser: number,
  ) {}

  async create(actor: Principal, input: unknown): Promise<{ key: string; api_key: PublicApiKey }> {
    // A key made by a key would outlive its maker's expiry and revocation.
    requireSession(actor, 'create an API key');
    const { name, role, scopes, expires_at } = parseInput(createApiKeySchema, input);
    if (role === 'admin' && actor.role !== 'admin') {
      throw AppError.forbidden('a key cannot have more rights than its owner');
    }
    const wanted = scopes ?? (role ? scopesOfRole(role) : actor.scopes);
    const beyond = wanted.filter((s) => !actor.scopes.includes(s));
    if (beyond.length > 0) {
      throw AppError.forbidden(`a key cannot have scopes its owner lacks: ${beyond.join(', ')}`);
    }
    const secret = generateApiKey();
    const record = await this.repo.insertWithin(
      {
        user_id: actor.userId,
        name,
        prefix: secret.prefix,
        key_hash: secret.hash,
        role: role ?? actor.role,
        scopes: intersectScopes(wanted, actor.scopes),
        expires_at: expires_at ?? null,
      },
      this.maxLivePerUser,
    );
    if (!record) {
      throw AppError.conflict(
        `at most ${this.maxLivePerUser} live API keys per user; revoke one you no longer use first`,
      );
    }
    return { key: secret.key, api_key: toPublicApiKey(record) };
  }

  /** Own keys; `keys:admin` sees everyone's (optionally one user's). */
  async list(actor: Principal, query: unknown): Promise<ApiKeyPage> {
    const { limit, offset, user_id } = parseInput(listApiKeysSchema, query);
    const keysAdmin = hasScope(actor, 'keys:admin');
    if (user_id !== undefined && !keysAdmin && user_id !== actor.userId) {
      throw AppError.forbidden('only keys:admin can list other users’ keys');
    }
    const owner = keysAdmin ? user_id : actor.userId;
    const keys = await this.repo.list(owner, limit, offset);
    return { api_keys: keys.map((k) => toPublicApiKey(k)), limit, offset };
  }

  /** Revokes the caller's key (any key with `keys:admin`). Someone else's key is "not found". */
  async revoke(actor: Principal, id: unknown): Promise<PublicApiKey> {
    const keyId = parseInput(idSchema, id, 'invalid key id');
    const existing = await this.repo.findById(keyId);
    if (!existing || (existing.user_id !== actor.userId && !hasScope(actor, 'keys:admin'))) {
      throw AppError.notFound('api key not found');
    }
    const revoked = await this.repo.revoke(keyId);
    if (!revoked) throw AppError.notFound('api key not found');
    this.revocations.announce({ type: 'key', key_id: keyId });
    return toPublicApiKey(revoked);
  }

  /** Active only when not revoked, not expired and the owner is still active. */
  async introspect(input: unknown): Promise<Introspection> {
    const { key } = parseInput(introspectSchema, input);
    if (!looksLikeApiKey(key)) return { active: false };
    const found = await this.repo.findByHashWithOwner(hashApiKey(key));
    if (!found || !found.owner.active || !isKeyActive(found.key)) return { active: false };
    await this.repo.touch(found.key.id, LAST_USED_GRANULARITY_SECONDS);
    const role = lesserRole(found.key.role, found.owner.role);
    return {
      active: true,
      sub: found.owner.id,
      role,
      scopes: intersectScopes(found.key.scopes, scopesOfRole(found.owner.role)),
      email: found.owner.email,
      key_id: found.key.id,
      name: found.key.name,
      expires_at: found.key.expires_at ? found.key.expires_at.toISOString() : null,
    };
  }
}
