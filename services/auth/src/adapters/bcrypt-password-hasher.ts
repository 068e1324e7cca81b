import { randomBytes } from 'node:crypto';
import { currentTraceIds, withSpan } from '@micromesh/kit';
import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../domain/ports';
import { WorkGate } from './work-gate';

/**
 * bcrypt hashing. `verify` against no hash still spends one full compare (against a dummy hash
 * of the same cost), so an unknown email takes as long as a wrong password. Every hash and compare
 * passes through the gate, which bounds how many run at once (see WorkGate).
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(
    readonly cost: number,
    private readonly gate: WorkGate = new WorkGate(Number.MAX_SAFE_INTEGER, 0),
  ) {}

  /** Throws 503 at once when no bcrypt slot or queue place is free (before any other work). */
  assertCapacity(): void {
    this.gate.assertRoom();
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => this.traced('bcrypt hash', () => bcrypt.hash(password, this.cost)));
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    if (hash === undefined) {
      const dummy = await this.dummy();
      await this.gate.run(() =>
        this.traced('bcrypt compare', () => bcrypt.compare(password, dummy)),
      );
      return false;
    }
    return this.gate.run(() => this.traced('bcrypt compare', () => bcrypt.compare(password, hash)));
  }

  /**
   * A span per hash or compare inside a request's trace (inside the gate: the wait for a slot is
   * not bcrypt's time); the seeding and warm-up at start stay out of the trace list.
   */
  private traced<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (!currentTraceIds()) return work();
    return withSpan(name, { attributes: { 'bcrypt.cost': this.cost } }, work);
  }

  /** Computed once, lazily: a random password nobody knows, at the configured cost. */
  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(18).toString('base64'));
    return this.dummyHash;
  }

  /** Builds the dummy hash up front so the first unknown-email login is not slower. */
  async warmUp(): Promise<void> {
    await this.dummy();
  }
}
