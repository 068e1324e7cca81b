import { AppError, type Logger } from '@micromesh/kit';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { CallOptions, DownstreamCalls } from '../domain/ports';

export interface DownstreamOptions {
  /** Consecutive failed calls that open the circuit. */
  failures: number;
  /** Time the circuit stays open before one trial call is let through. */
  halfOpenAfterMs: number;
  logger: Logger;
  /** Told every state change: true when the circuit opens, false when it closes again. */
  onOpenChange?: (name: string, open: boolean) => void;
}

/** A relayed answer (an AppError) is not an outage: it never trips the breaker. */
const isOutage = (err: unknown) => !(err instanceof AppError);

/**
 * One downstream service (auth, logger, mail): every call has a deadline, and consecutive
 * failures open a circuit breaker so a dead service is answered with a fast 503
 * "<name> unavailable" instead of every request waiting for its own timeout. Each service has its
 * own breaker, so one dead service never affects the actions that do not use it.
 */
export class Downstream implements DownstreamCalls {
  readonly breaker: CircuitBreakerPolicy;

  constructor(
    readonly name: string,
    private readonly options: DownstreamOptions,
  ) {
    this.breaker = circuitBreaker(handleWhen(isOutage), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.failures),
    });
    this.breaker.onStateChange((state) => {
      options.logger.warn(
        { downstream: name, state: CircuitState[state] },
        'circuit state changed',
      );
      options.onOpenChange?.(name, state === CircuitState.Open);
    });
  }

  get isOpen(): boolean {
    return this.breaker.state === CircuitState.Open;
  }

  /**
   * Runs `attempt` with an AbortSignal that fires at the deadline. AppErrors pass through untouched
   * (they are the downstream's answers); everything else becomes 503 "<name> unavailable".
   */
  async call<T>(attempt: (signal: AbortSignal) => Promise<T>, options: CallOptions): Promise<T> {
    const once = () => attempt(AbortSignal.timeout(options.timeoutMs));
    const { retryWhen } = options;
    const run = retryWhen
      ? () =>
          retry(
            handleWhen((err) => err instanceof Error && retryWhen(err)),
            {
              maxAttempts: 2,
              backoff: new ExponentialBackoff({ initialDelay: 20, maxDelay: 100 }),
            },
          ).execute(once)
      : once;
    try {
      return await this.breaker.execute(run);
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (!(err instanceof BrokenCircuitError)) {
        this.options.logger.warn({ downstream: this.name, err }, 'downstream call failed');
      }
      // While the circuit is open, tell clients when a retry can succeed at the earliest.
      const headers =
        err instanceof BrokenCircuitError
          ? { 'retry-after': String(Math.ceil(this.options.halfOpenAfterMs / 1000)) }
          : undefined;
      throw new AppError(503, `${this.name} unavailable`, { cause: err, headers });
    }
  }
}
