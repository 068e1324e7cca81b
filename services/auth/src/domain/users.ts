import { AppError, parseInput } from '@micromesh/kit';
import {
  EmailTakenError,
  type UserChanges,
  type UsersRepository,
} from '../data-access/users-repository';
import { createUserSchema, idSchema, pageSchema, updateUserSchema } from './input-schemas';
import type { PasswordHasher } from './password-hasher';
import { requireAdmin, type Principal } from './principal';
import { toPublicUser, type PublicUser } from './user';

export interface UserPage {
  users: PublicUser[];
  total: number;
  limit: number;
  offset: number;
}

const EMAIL_TAKEN = 'email is already taken';

/**
 * The users API. Admins manage everyone; a user may read and edit its own profile. Nobody changes
 * their own role or active flag, or deletes themselves (no self-promotion, no admin lock-out).
 */
export class Users {
  constructor(
    private readonly repo: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async list(actor: Principal, query: unknown): Promise<UserPage> {
    requireAdmin(actor);
    const { limit, offset } = parseInput(pageSchema, query);
    const { users, total } = await this.repo.list(limit, offset);
    return { users: users.map(toPublicUser), total, limit, offset };
  }

  async create(actor: Principal, input: unknown): Promise<PublicUser> {
    requireAdmin(actor);
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
    const { password, ...fields } = parseInput(updateUserSchema, input);
    if (userId === actor.userId && (fields.role !== undefined || fields.active !== undefined)) {
      throw AppError.forbidden('you cannot change your own role or active flag');
    }
    const changes: UserChanges = { ...fields };
    if (password !== undefined) changes.password_hash = await this.hasher.hash(password);
    try {
      const updated = await this.repo.update(userId, changes);
      if (!updated) throw AppError.notFound('user not found');
      return toPublicUser(updated);
    } catch (err) {
      if (err instanceof EmailTakenError) throw AppError.conflict(EMAIL_TAKEN);
      throw err;
    }
  }

  async delete(actor: Principal, id: unknown): Promise<void> {
    requireAdmin(actor);
    const userId = parseInput(idSchema, id, 'invalid user id');
    if (userId === actor.userId) throw AppError.forbidden('you cannot delete yourself');
    if (!(await this.repo.delete(userId))) throw AppError.notFound('user not found');
  }

  /** Admins may target anyone; others only themselves. */
  private allowedTarget(actor: Principal, id: unknown): string {
    const userId = parseInput(idSchema, id, 'invalid user id');
    if (actor.role !== 'admin' && userId !== actor.userId) requireAdmin(actor);
    return userId;
  }
}
