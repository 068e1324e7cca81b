import type { Pool } from 'pg';
import { EmailTakenError, type NewUser, type UserChanges, type UserStore } from '../domain/ports';
import { ALL_VERSIONS_REVOKED } from '../domain/revocations';
import type { UserRecord } from '../domain/user';

const COLUMNS =
  'id, email, first_name, last_name, password_hash, role, active, token_version, created_at, updated_at';

// Records the revocation in the same statement as the change, so the two cannot drift apart.
const RECORD_REVOCATION = `INSERT INTO token_revocations (user_id, min_version, revoked_at)
  SELECT id, token_version, now() FROM changed
  ON CONFLICT (user_id) DO UPDATE SET min_version = EXCLUDED.min_version, revoked_at = now()`;

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === UNIQUE_VIOLATION;
}

/** Users table access; every statement is parameterised. */
export class UsersRepository implements UserStore {
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

  async insert(user: NewUser): Promise<UserRecord> {
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
  async insertIfAbsent(user: NewUser): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO users (email, first_name, last_name, password_hash, role, active)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [user.email, user.first_name, user.last_name, user.password_hash, user.role, user.active],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * Applies the changes; with `revokeTokens`, also bumps the token version (every token issued so
   * far stops working) and records the revocation. `revokeTokens` with no changes = logout.
   */
  async update(
    id: string,
    changes: UserChanges,
    revokeTokens = false,
  ): Promise<UserRecord | undefined> {
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
    if (revokeTokens) sets.push('token_version = token_version + 1');
    if (sets.length === 0) return this.findById(id);
    const update = `UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $1
      RETURNING ${COLUMNS}`;
    const sql = revokeTokens
      ? `WITH changed AS (${update}), revoked AS (${RECORD_REVOCATION}) SELECT * FROM changed`
      : update;
    try {
      const { rows } = await this.pool.query<UserRecord>(sql, values);
      return rows[0];
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new EmailTakenError(changes.email ?? '', { cause: err });
      }
      throw err;
    }
  }

  /** Deletes the user and, in the same statement, revokes every token they hold. */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `WITH changed AS (DELETE FROM users WHERE id = $1 RETURNING id, $2::integer AS token_version),
       revoked AS (${RECORD_REVOCATION}) SELECT id FROM changed`,
      [id, ALL_VERSIONS_REVOKED],
    );
    return (rowCount ?? 0) > 0;
  }
}
