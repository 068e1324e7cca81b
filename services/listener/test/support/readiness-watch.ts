import type { ServiceProcess } from '@micromesh/kit/testing';

export interface ReadinessWatch {
  /** Stops sampling; resolves with every /readyz status seen (never empty). */
  stop(): Promise<number[]>;
}

const running = new Set<ReadinessWatch>();

// A test that fails before stopping its watch would leave the loop polling for ever (and jest
// waiting on it): every watch still running ends with its test.
afterEach(async () => {
  await Promise.all([...running].map((watch) => watch.stop()));
});

/** Samples a service's /readyz every `everyMs` until stopped (one request at a time). */
export function watchReadiness(service: ServiceProcess, everyMs = 100): ReadinessWatch {
  const statuses: number[] = [];
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const res = await fetch(`${service.url}/readyz`).catch(() => undefined);
      statuses.push(res?.status ?? 0);
      await res?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  const watch: ReadinessWatch = {
    async stop() {
      sampling = false;
      running.delete(watch);
      await loop;
      return statuses;
    },
  };
  running.add(watch);
  return watch;
}
