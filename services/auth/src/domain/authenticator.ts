import { AppError } from '@micromesh/kit';
import { intersectScopes, scopesOfRole } from '@micromesh/contracts';
import { looksLikeApiKey } from './api-key-secret';
import type { ApiKeys } from './api-keys';
import type { Tokens, UserStore } from './ports';
import type { Principal } from './principal';
import { lesserRole } from './user';

export interface Credentials {
  /** The raw Authorization header. */
  authorization?: string;
  /** The raw X-API-Key header. */
  apiKey?: string;
}

const invalidToken = (message: string, cause?: unknown) =>
  new AppError(401, message, {
    cause,
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

/**
 * Resolves a caller from a Bearer access token or an API key (`X-API-Key`, or `Bearer mmk_…`).
 * The user is re-read: a token older than the user's token version (password, role or active flag
 * changed, logged out) is refused here at once, and the scopes are bounded by the current role.
 */
export class Authenticator {
  constructor(
    private readonly tokens: Tokens,
    private readonly apiKeys: ApiKeys,
    private readonly users: UserStore,
  ) {}

  async authenticate(credentials: Credentials): Promise<Principal> {
    const bearer = parseBearer(credentials.authorization);
    const apiKey = credentials.apiKey ?? (bearer && looksLikeApiKey(bearer) ? bearer : undefined);
    if (apiKey !== undefined) return this.fromApiKey(apiKey);
    if (bearer === undefined) throw AppError.unauthorized('missing bearer token or API key');
    return this.fromToken(bearer);
  }

  private async fromToken(token: string): Promise<Principal> {
    let claims;
    try {
      claims = await this.tokens.verify(token);
    } catch (err) {
      throw invalidToken('invalid or expired token', err);
    }
    const user = await this.users.findById(claims.sub);
    if (!user || !user.active) throw AppError.unauthorized('user is not active');
    if (claims.version < user.token_version) throw invalidToken('token has been revoked');
    const role = lesserRole(claims.role, user.role);
    return {
      userId: user.id,
      email: user.email,
      role,
      scopes: intersectScopes(claims.scopes, scopesOfRole(role)),
      via: 'token',
    };
  }

  private async fromApiKey(key: string): Promise<Principal> {
    if (!looksLikeApiKey(key)) throw AppError.unauthorized('invalid API key');
    const result = await this.apiKeys.introspect({ key });
    if (!result.active) throw AppError.unauthorized('invalid API key');
    return {
      userId: result.sub,
      email: result.email,
      role: result.role,
      scopes: result.scopes,
      via: 'api_key',
    };
  }
}

function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match) throw AppError.unauthorized('Authorization must be "Bearer <token>"');
  return match[1];
}
