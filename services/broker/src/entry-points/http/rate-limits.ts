import { AppError } from '@micromesh/kit';
import type { Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitSettings {
  points: number;
  windowSeconds: number;
}

/**
 * A fixed-window limit per client. Every answer carries X-RateLimit-Limit / -Remaining / -Reset
 * (seconds until the window resets); over the limit is 429 with Retry-After.
 */
export class RateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(
    readonly name: string,
    private readonly settings: RateLimitSettings,
  ) {
    this.limiter = new RateLimiterMemory({
      keyPrefix: name,
      points: settings.points,
      duration: settings.windowSeconds,
    });
  }

  async consume(clientKey: string, res: Response): Promise<void> {
    try {
      const state = await this.limiter.consume(clientKey, 1);
      this.setHeaders(res, state);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      this.setHeaders(res, err);
      throw AppError.tooManyRequests(err.msBeforeNext / 1000);
    }
  }

  private setHeaders(res: Response, state: RateLimiterRes): void {
    res.setHeader('x-ratelimit-limit', this.settings.points);
    res.setHeader('x-ratelimit-remaining', Math.max(0, state.remainingPoints));
    res.setHeader('x-ratelimit-reset', Math.ceil(state.msBeforeNext / 1000));
  }
}
