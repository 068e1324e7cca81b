import { AppError, parseInput } from '@micromesh/kit';
import { scopesOfRole } from '@micromesh/contracts';
import type { AccountDelay } from './account-delay';
import { loginSchema } from './input-schemas';
import type { LoginThrottle } from './login-throttle';
import type { AccessToken, LoginEvents, PasswordHasher, Tokens, UserStore } from './ports';
import { toPublicUser, type PublicUser } from './user';

export interface LoginDeps {
  users: UserStore;
  hasher: PasswordHasher;
  tokens: Tokens;
  throttle: LoginThrottle;
  accountDelay: AccountDelay;
  events: LoginEvents;
  /** Counts outcomes: success, invalid, rate_limited. */
  recordOutcome: (outcome: 'success' | 'invalid' | 'rate_limited') => void;
}

export interface LoginResult {
  user: PublicUser;
  token: AccessToken;
}

/**
 * Email + password → user and access token. Unknown email, wrong password and inactive user are
 * indistinguishable: same error, each spends one bcrypt compare, and each counts against the
 * account (per email, from every address) as well as against the client address.
 */
export async function login(deps: LoginDeps, input: unknown, ip: string): Promise<LoginResult> {
  const { email, password } = parseInput(loginSchema, input);
  // Under a login flood, refuse before the throttle's and the user lookup's database work.
  deps.hasher.assertCapacity();
  try {
    await deps.throttle.spend(email, ip);
    await deps.accountDelay.check(email);
  } catch (err) {
    deps.recordOutcome('rate_limited');
    throw err;
  }
  const user = await deps.users.findByEmail(email);
  const passwordOk = await deps.hasher.verify(password, user?.password_hash);
  if (!user || !passwordOk || !user.active) {
    deps.recordOutcome('invalid');
    await deps.accountDelay.failed(email);
    throw new AppError(401, 'invalid credentials');
  }
  await Promise.all([deps.throttle.forgive(email, ip), deps.accountDelay.succeeded(email)]);
  const token = await deps.tokens.issue({ ...user, scopes: scopesOfRole(user.role) });
  deps.events.userLoggedIn(user);
  deps.recordOutcome('success');
  return { user: toPublicUser(user), token };
}
