import { AppError } from '@micromesh/kit';
import type { UsersRepository } from '../data-access/users-repository';
import { looksLikeApiKey } from './api-key-secret';
import type { ApiKeys } from './api-keys';
import type { TokenService } from './token-service';
import { lesserRole, type Role } from './user';

/** Who is calling, with the rights they have right now. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  via: 'token' | 'api_key';
}

export interface Credentials {
  /** The raw Authorization header. */
  authorization?: string;
  /** The raw X-API-Key header. */
  apiKey?: string;
}

/**
 * Resolves a caller from a Bearer access token or an API key (`X-API-Key`, or `Bearer mmk_…`).
 * The user is re-read, so a deactivated or demoted user loses rights at once, not at token expiry.
 */
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly apiKeys: ApiKeys,
    private readonly users: UsersRepository,
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
      throw new AppError(401, 'invalid or expired token', {
        cause: err,
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
    const user = await this.users.findById(claims.sub);
    if (!user || !user.active) throw AppError.unauthorized('user is not active');
    return {
      userId: user.id,
      email: user.email,
      role: lesserRole(claims.role, user.role),
      via: 'token',
    };
  }

  private async fromApiKey(key: string): Promise<Principal> {
    if (!looksLikeApiKey(key)) throw AppError.unauthorized('invalid API key');
    const result = await this.apiKeys.introspect({ key });
    if (!result.active) throw AppError.unauthorized('invalid API key');
    return { userId: result.sub, email: result.email, role: result.role, via: 'api_key' };
  }
}

function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match) throw AppError.unauthorized('Authorization must be "Bearer <token>"');
  return match[1];
}

export function requireAdmin(principal: Principal): void {
  if (principal.role !== 'admin') throw AppError.forbidden('admin role required');
}
