import { AppError } from '@micromesh/kit';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Brute-force brake for logins: every attempt spends a point from two budgets, one per
 * email+client IP and one per client IP. A successful login gives its points back, so only
 * failures add up; an empty budget answers 429 with Retry-After before any password is checked.
 */
export class LoginThrottle {
  constructor(
    private readonly perEmailIp: RateLimiterAbstract,
    private readonly perIp: RateLimiterAbstract,
  ) {}

  async spend(email: string, ip: string): Promise<void> {
    const results = await Promise.allSettled([
      this.perEmailIp.consume(emailIpKey(email, ip)),
      this.perIp.consume(ip),
    ]);
    const blocked = results
      .map((r) => (r.status === 'rejected' ? r.reason : undefined))
      .filter((reason) => reason !== undefined);
    if (blocked.length === 0) return;
    const limited = blocked.filter((r): r is RateLimiterRes => r instanceof RateLimiterRes);
    // Anything but a counter verdict is a real fault (the in-memory fallback absorbs store errors).
    if (limited.length === 0) throw blocked[0];
    const waitMs = Math.max(...limited.map((r) => r.msBeforeNext));
    throw AppError.tooManyRequests(waitMs / 1000, 'too many failed logins, try again later');
  }

  async forgive(email: string, ip: string): Promise<void> {
    await Promise.all([this.perEmailIp.delete(emailIpKey(email, ip)), this.perIp.reward(ip, 1)]);
  }
}

function emailIpKey(email: string, ip: string): string {
  return `${email.toLowerCase()}|${ip}`;
}
