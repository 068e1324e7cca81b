import fs from 'node:fs';
import path from 'node:path';
import { shutdownBudgetProblem, type ShutdownTimes } from '@micromesh/kit';
import { interpolate, parseDotenv } from './support/compose-interpolation';
import { findKubectl, renderOverlay } from './support/kustomize';
import { composeFile, repoRoot, SERVICES, type ServiceName } from './support/paths';
import { checkedSettings, minimalEnv } from './support/service-configs';
import { parseYamlFile, type Doc } from './support/yaml-files';

/**
 * A rollout stops every pod: SIGTERM, then SHUTDOWN_DELAY_MS with readiness off, the drain
 * (SHUTDOWN_DRAIN_MS), closing connections — all within SHUTDOWN_TIMEOUT_MS, or the service
 * force-exits (code 1, AMQP and PostgreSQL closers skipped). And the orchestrator's own deadline
 * (terminationGracePeriodSeconds, compose's stop_grace_period) must outlast SHUTDOWN_TIMEOUT_MS,
 * or it SIGKILLs the process first. Each built service reads the settings itself (`--check-config`).
 */
type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};

/** Between the service's own deadline and the orchestrator's SIGKILL. */
const MARGIN_MS = 2_000;

/** The shutdown times the built service reports for the environment (`--check-config`). */
async function timesOf(
  service: ServiceName,
  env: Record<string, string>,
): Promise<Required<ShutdownTimes>> {
  return checkedSettings(service, { ...minimalEnv(service), ...env });
}

/** Compose durations: 1h2m3s, 20s, 1500ms. */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) {
    total += Number(n) * units[unit!]!;
  }
  return total;
}

const kubectl = findKubectl();

describe.each(kubectl ? (['dev', 'prod'] as const) : [])(
  'shutdown timing of the %s overlay',
  (overlay) => {
    let docs: Doc[];
    beforeAll(() => {
      docs = renderOverlay(kubectl!, overlay);
    });

    test.each([...SERVICES])(
      'When a %s pod is stopped, then delay + drain + closing fit in SHUTDOWN_TIMEOUT_MS, which fits in terminationGracePeriodSeconds',
      async (service) => {
        const deployment = docs.find(
          (d) => d.kind === 'Deployment' && obj(d.metadata).name === service,
        );
        const pod = obj(obj(obj(deployment?.spec).template).spec);
        const configMap = docs.find(
          (d) =>
            d.kind === 'ConfigMap' && String(obj(d.metadata).name).startsWith(`${service}-config`),
        );
        const times = await timesOf(service, obj(configMap?.data) as Record<string, string>);
        const graceMs = Number(pod.terminationGracePeriodSeconds ?? 30) * 1000;

        expect(shutdownBudgetProblem(times)).toBeNull();
        expect(times.SHUTDOWN_TIMEOUT_MS + MARGIN_MS).toBeLessThanOrEqual(graceMs);
      },
    );
  },
);

describe('shutdown timing in docker-compose.yml', () => {
  const [compose] = parseYamlFile(composeFile).docs as [Doc];
  const dotenv = parseDotenv(fs.readFileSync(path.join(repoRoot, '.env.example'), 'utf8'));

  test.each([...SERVICES])(
    'When the %s container is stopped, then delay + drain + closing fit in SHUTDOWN_TIMEOUT_MS, which fits in stop_grace_period',
    async (service) => {
      const definition = obj(obj(compose.services)[service]);
      const env = Object.fromEntries(
        Object.entries(obj(definition.environment)).map(([k, v]) => [
          k,
          interpolate(String(v), dotenv),
        ]),
      );
      const times = await timesOf(service, env);
      // docker stop / compose down wait 10 s before SIGKILL unless stop_grace_period says otherwise.
      const graceMs = durationMs(String(definition.stop_grace_period ?? '10s'));

      expect(shutdownBudgetProblem(times)).toBeNull();
      expect(times.SHUTDOWN_TIMEOUT_MS + MARGIN_MS).toBeLessThanOrEqual(graceMs);
    },
  );
});
