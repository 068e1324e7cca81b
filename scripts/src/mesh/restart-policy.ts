/**
 * When a supervised service exits on its own, how long to wait before starting it again, and when
 * to stop trying: exponential backoff over the crashes of a sliding window, as compose's
 * `restart: unless-stopped` and a kubelet's CrashLoopBackOff do.
 */
export interface RestartPolicySettings {
  /** First delay; doubled for every further crash inside the window. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Crashes counted together; older ones are forgotten. */
  windowMs: number;
  /** More crashes than this inside the window: give up on the service. */
  maxCrashes: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicySettings = {
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  windowMs: 120_000,
  maxCrashes: 5,
};

export type RestartDecision =
  { restart: true; delayMs: number; crashes: number } | { restart: false; crashes: number };

export class RestartPolicy {
  private readonly crashes: number[] = [];

  constructor(private readonly settings: RestartPolicySettings = DEFAULT_RESTART_POLICY) {}

  /** Records a crash at `now` and says what to do about it. */
  onCrash(now = Date.now()): RestartDecision {
    const { windowMs, maxCrashes, initialDelayMs, maxDelayMs } = this.settings;
    this.crashes.push(now);
    while (this.crashes.length && (this.crashes[0] ?? now) <= now - windowMs) this.crashes.shift();
    const crashes = this.crashes.length;
    if (crashes > maxCrashes) return { restart: false, crashes };
    return {
      restart: true,
      crashes,
      delayMs: Math.min(maxDelayMs, initialDelayMs * 2 ** (crashes - 1)),
    };
  }
}
