export interface RetryPolicy {
  /** Delay before retry n (1-based); the last value repeats. */
  delaysMs: readonly number[];
  maxAttempts: number;
}

/** Delay after `attempts` failed attempts, or undefined once the policy gives up. */
export function nextDelay(policy: RetryPolicy, attempts: number): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const index = Math.min(attempts, policy.delaysMs.length) - 1;
  return policy.delaysMs[Math.max(0, index)];
}
