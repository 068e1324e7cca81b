import { parseInput } from '@micromesh/kit';
import { emailSchema, newPasswordSchema } from './input-schemas';
import type { PasswordHasher, UserStore } from './ports';

/**
 * Creates the configured admin when no account has that email yet. An existing account is never
 * touched (its password or role may have been changed on purpose), so this is safe on every start
 * and on several replicas at once.
 */
export async function seedAdmin(
  repo: UserStore,
  hasher: PasswordHasher,
  credentials: { email: string; password: string },
): Promise<boolean> {
  const email = parseInput(emailSchema, credentials.email, 'AUTH_SEED_ADMIN_EMAIL is invalid');
  const password = parseInput(
    newPasswordSchema,
    credentials.password,
    'AUTH_SEED_ADMIN_PASSWORD is invalid',
  );
  if (await repo.findByEmail(email)) return false;
  return repo.insertIfAbsent({
    email,
    first_name: 'Admin',
    last_name: 'User',
    password_hash: await hasher.hash(password),
    role: 'admin',
    active: true,
  });
}
