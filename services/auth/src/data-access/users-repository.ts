import type { Pool } from 'pg';
import type { Role, UserRecord } from '../domain/user';

const COLUMNS =
  'id, email, first_name, last_name, password_hash, role, active, created_at, updated_at';

export interface NewUserRow {
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string;
  role: Role;
  active: boolean;
}

export type UserChanges = Partial<NewUserRow>;

/** Thrown when an email is already taken (unique index on lower(email)). */
export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === UNIQUE_VIOLATION;
}

/** Users table access; every statement is parameterised. */
export class UsersRepository {
  constructor(private readonly pool: Pool) {}

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const { rows } = await this.pool.query<UserRecord>(
      `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return rows[0];
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const { rows } = await this.pool.query<UserRecord>(
      `SELECT ${COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async list(limit: number, offset: number): Promise<{ users: UserRecord[]; total: number }> {
    const [page, count] = await Promise.all([
      this.pool.query<UserRecord>(
        `SELECT ${COLUMNS} FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2`,
        [limit, offset],
      ),
      this.pool.query<{ total: string }>('SELECT count(*) AS total FROM users'),
    ]);
    return { users: page.rows, total: Number(count.rows[0]?.total ?? 0) };
  }

  async insert(user: NewUserRow): Promise<UserRecord> {
    try {
      const { rows } = await this.pool.query<UserRecord>(
        `INSERT INTO users (email, first_name, last_name, password_hash, role, active)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [user.email, user.first_name, user.last_name, user.password_hash, user.role, user.active],
      );
      return rows[0] as UserRecord;
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError(user.email, { cause: err });
      throw err;
    }
  }

  /** Inserts unless the email exists (any case); true when a row was created. */
  async insertIfAbsent(user: NewUserRow): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO users (email, first_name, last_name, password_hash, role, active)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [user.email, user.first_name, user.last_name, user.password_hash, user.role, user.active],
    );
    return (rowCount ?? 0) > 0;
  }

  async update(id: string, changes: UserChanges): Promise<UserRecord | undefined> {
    // Column names come from this fixed list, never from input; values are parameters.
    const allowed = [
      'email',
      'first_name',
      'last_name',
      'password_hash',
      'role',
      'active',
    ] as const;
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const column of allowed) {
      const value = changes[column];
      if (value === undefined) continue;
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    }
    if (sets.length === 0) return this.findById(id);
    try {
      const { rows } = await this.pool.query<UserRecord>(
        `UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1
         RETURNING ${COLUMNS}`,
        values,
      );
      return rows[0];
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new EmailTakenError(changes.email ?? '', { cause: err });
      }
      throw err;
    }
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM users WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}
