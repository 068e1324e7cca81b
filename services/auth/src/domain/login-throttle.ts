import { AppError } from '@micromesh/kit';
import type { LoginBudget } from './ports';

/**
 * Brute-force brake for logins: every attempt spends a point from two budgets, one per
 * email+client IP and one per client IP. A successful login gives its points back, so only
 * failures add up; an empty budget answers 429 with Retry-After before any password is checked.
 */
export class LoginThrottle {
  constructor(
    private readonly perEmailIp: LoginBudget,
    private readonly perIp: LoginBudget,
  ) {}

  async spend(email: string, ip: string): Promise<void> {
    const results = await Promise.allSettled([
      this.perEmailIp.consume(emailIpKey(email, ip)),
      this.perIp.consume(ip),
    ]);
    const waits = results.flatMap((r) =>
      r.status === 'fulfilled' && r.value !== undefined ? [r.value] : [],
    );
    if (waits.length > 0) {
      throw AppError.tooManyRequests(
        Math.max(...waits) / 1000,
        'too many failed logins, try again later',
      );
    }
    // A fault of a counter itself (the in-memory fallback absorbs store errors) is a real fault.
    const fault = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (fault) throw fault.reason;
  }

  async forgive(email: string, ip: string): Promise<void> {
    await Promise.all([this.perEmailIp.delete(emailIpKey(email, ip)), this.perIp.reward(ip, 1)]);
  }
}

function emailIpKey(email: string, ip: string): string {
  return `${email.toLowerCase()}|${ip}`;
}
