import { AppError, parseInput } from '@micromesh/kit';
import { createUserSchema, idSchema, pageSchema, updateUserSchema } from './input-schemas';
import {
  EmailTakenError,
  type PasswordHasher,
  type RevocationAnnouncer,
  type UserChanges,
  type UserStore,
} from './ports';
import { hasScope, requireScope, requireSession, type Principal } from './principal';
import { ALL_VERSIONS_REVOKED } from './revocations';
import { toPublicUser, type PublicUser } from './user';

export interface UserPage {
  users: PublicUser[];
  total: number;
  limit: number;
  offset: number;
}

const EMAIL_TAKEN = 'email is already taken';

/**
 * The users API. `users:admin` manages everyone; a user may read and edit its own profile, and
 * changes its own password only by giving the current one. Nobody changes their own role or active
 * flag, or deletes themselves (no self-promotion, no admin lock-out). What hands out a credential
 * or a right (a new user, another's password or role, a reactivation) needs a token session: an
 * API key's rights must not outlive it. A new password, role or active flag, a deletion and a
 * logout revoke the user's tokens (and are announced to the brokers).
 */
export class Users {
  constructor(
    private readonly repo: UserStore,
    private readonly hasher: PasswordHasher,
    private readonly revocations: RevocationAnnouncer,
  ) {}

  async list(actor: Principal, query: unknown): Promise<UserPage> {
    requireScope(actor, 'users:admin');
    const { limit, offset } = parseInput(pageSchema, query);
    const { users, total } = await this.repo.list(limit, offset);
    return { users: users.map(toPublicUser), total, limit, offset };
  }

  async create(actor: Principal, input: unknown): Promise<PublicUser> {
    requireScope(actor, 'users:admin');
    requireSession(actor, 'create a user');
    const { password, ...fields } = parseInput(createUserSchema, input);
    const password_hash = await this.hasher.hash(password);
    try {
      return toPublicUser(await this.repo.insert({ ...fields, password_hash }));
    } catch (err) {
      if (err instanceof EmailTakenError) throw AppError.conflict(EMAIL_TAKEN);
      throw err;
    }
  }

  async get(actor: Principal, id: unknown): Promise<PublicUser> {
    const userId = this.allowedTarget(actor, id);
    const user = await this.repo.findById(userId);
    if (!user) throw AppError.notFound('user not found');
    return toPublicUser(user);
  }

  async update(actor: Principal, id: unknown, input: unknown): Promise<PublicUser> {
    const userId = this.allowedTarget(actor, id);
    const { password, current_password, ...fields } = parseInput(updateUserSchema, input);
    const self = userId === actor.userId;
    if (self && (fields.role !== undefined || fields.active !== undefined)) {
      throw AppError.forbidden('you cannot change your own role or active flag');
    }
    // Another's password or role, or a reactivation, hands out a credential or a right.
    if (!self && (password !== undefined || fields.role !== undefined || fields.active === true)) {
      requireSession(actor, 'set another user’s password or role, or reactivate a user');
    }
    if (password !== undefined && self) await this.checkCurrentPassword(userId, current_password);
    const changes: UserChanges = { ...fields };
    if (password !== undefined) changes.password_hash = await this.hasher.hash(password);
    const revoke =
      password !== undefined || fields.role !== undefined || fields.active !== undefined;
    try {
      const updated = await this.repo.update(userId, changes, revoke);
      if (!updated) throw AppError.notFound('user not found');
      if (revoke) this.announce(updated.id, updated.token_version);
      return toPublicUser(updated);
    } catch (err) {
      if (err instanceof EmailTakenError) throw AppError.conflict(EMAIL_TAKEN);
      throw err;
    }
  }

  async delete(actor: Principal, id: unknown): Promise<void> {
    requireScope(actor, 'users:admin');
    const userId = parseInput(idSchema, id, 'invalid user id');
    if (userId === actor.userId) throw AppError.forbidden('you cannot delete yourself');
    if (!(await this.repo.delete(userId))) throw AppError.notFound('user not found');
    this.announce(userId, ALL_VERSIONS_REVOKED);
  }

  /** Ends every token of the caller (all their sessions); API keys are revoked one by one. */
  async logout(actor: Principal): Promise<void> {
    if (actor.via !== 'token') {
      throw AppError.badRequest(
        'logout ends token sessions; revoke an API key with DELETE /api/keys/{id}',
      );
    }
    const updated = await this.repo.update(actor.userId, {}, true);
    if (!updated) throw AppError.notFound('user not found');
    this.announce(updated.id, updated.token_version);
  }

  /** `users:admin` may target anyone; others only themselves. */
  private allowedTarget(actor: Principal, id: unknown): string {
    const userId = parseInput(idSchema, id, 'invalid user id');
    if (userId !== actor.userId && !hasScope(actor, 'users:admin')) {
      throw AppError.forbidden('requires the users:admin scope');
    }
    return userId;
  }

  private async checkCurrentPassword(userId: string, current: string | undefined): Promise<void> {
    if (current === undefined) {
      throw AppError.badRequest('changing your own password needs current_password', [
        { path: 'current_password', message: 'is required' },
      ]);
    }
    const user = await this.repo.findById(userId);
    if (!(await this.hasher.verify(current, user?.password_hash))) {
      throw AppError.forbidden('current_password is wrong');
    }
  }

  private announce(userId: string, minVersion: number): void {
    this.revocations.announce({ type: 'user', user_id: userId, min_version: minVersion });
  }
}
