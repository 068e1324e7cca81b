import type { ServiceProcess } from '@micromesh/kit/testing';

export interface ReadinessWatch {
  /** Stops sampling; resolves with every /readyz status seen (never empty). */
  stop(): Promise<number[]>;
}

/** Samples a service's /readyz every `everyMs` until stopped (one request at a time). */
export function watchReadiness(service: ServiceProcess, everyMs = 100): ReadinessWatch {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await fetch(`${service.url}/readyz`).catch(() => undefined);
      statuses.push(res?.status ?? 0);
      await res?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return statuses;
    },
  };
}
