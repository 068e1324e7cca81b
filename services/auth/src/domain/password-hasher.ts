import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';

/**
 * bcrypt hashing. `verify` against no hash still spends one full compare (against a dummy hash
 * of the same cost), so an unknown email takes as long as a wrong password.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    if (hash === undefined) {
      await bcrypt.compare(password, await this.dummy());
      return false;
    }
    return bcrypt.compare(password, hash);
  }

  /** Computed once, lazily: a random password nobody knows, at the configured cost. */
  private dummy(): Promise<string> {
    this.dummyHash ??= bcrypt.hash(randomBytes(18).toString('base64'), this.cost);
    return this.dummyHash;
  }

  /** Builds the dummy hash up front so the first unknown-email login is not slower. */
  async warmUp(): Promise<void> {
    await this.dummy();
  }
}
