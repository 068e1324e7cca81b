export type HealthCheck = () => Promise<unknown>;

export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
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
  private shuttingDown = false;

  constructor(private readonly checkTimeoutMs = 2_000) {}

  addCheck(name: string, check: HealthCheck): this {
    this.checks.set(name, check);
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
      [...this.checks].map(async ([name, check]) => [name, await this.run(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ready = !this.shuttingDown && entries.every(([, r]) => r.ok);
    return { ready, shuttingDown: this.shuttingDown, checks };
  }

  private async run(check: HealthCheck): Promise<CheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out after ${this.checkTimeoutMs} ms`)),
            this.checkTimeoutMs,
          );
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
}
