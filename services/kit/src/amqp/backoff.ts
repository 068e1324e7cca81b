// Kept by hand: five lines of arithmetic for three loops; cockatiel (the broker's) would be a kit dependency for it.
export interface BackoffSettings {
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so a fleet of
 * services that lost RabbitMQ together does not reconnect in lock-step.
 */
export function backoffDelay(attempt: number, settings: BackoffSettings = {}): number {
  const initial = settings.initialDelayMs ?? 250;
  const max = settings.maxDelayMs ?? 5_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
