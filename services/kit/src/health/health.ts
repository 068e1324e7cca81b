export type HealthCheck = () => Promise<unknown>;

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
  /** Present (false) for a check that is reported but does not decide readiness. */
  required?: false;
}

export interface CheckOptions {
  /** Default true. A non-required check is shown in /readyz but never makes it fail. */
  required?: boolean;
}

export interface Readiness {
  ready: boolean;
  shuttingDown: boolean;
  checks: Record<string, CheckResult>;
}

/**
 * Liveness is "the process answers"; readiness is "every registered dependency answers and the
 * service is not shutting down". Checks run in parallel, each bounded by a timeout.
 */
export class Health {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly optional = new Set<string>();
  private shuttingDown = false;

  constructor(private readonly checkTimeoutMs = 2_000) {}

  addCheck(name: string, check: HealthCheck, options: CheckOptions = {}): this {
    this.checks.set(name, check);
    if (options.required === false) this.optional.add(name);
    else this.optional.delete(name);
    return this;
  }

  /** Readiness turns false from here on, before anything is closed. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async readiness(): Promise<Readiness> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const result = await this.run(check);
        return [
          name,
          this.optional.has(name) ? { ...result, required: false as const } : result,
        ] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = !this.shuttingDown && entries.every(([, r]) => r.ok || r.required === false);
    return { ready, shuttingDown: this.shuttingDown, checks };
  }

  private run(check: HealthCheck): Promise<CheckResult> {
    return runCheck(check, this.checkTimeoutMs);
  }
}

/** Runs one check bounded by a timeout; never throws. Shared by /readyz and the broker's fan-out. */
export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { ok: false, ms: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}
