import { runChaos, type ChaosReport } from '../src/chaos/main';
import { SCENARIOS } from '../src/chaos/scenarios';

// The short version of scripts/chaos: every fault scenario, briefly, and 2,000 fuzzed requests.
// Each scenario starts from a mesh under load, injects its fault, lifts it, and counts per
// idempotency key what was accepted against what landed.
describe('faults on purpose (scripts/chaos --short --fuzz 2000)', () => {
  let report: ChaosReport;
  const lines: string[] = [];

  beforeAll(async () => {
    report = await runChaos({
      scenarios: SCENARIOS.map((s) => s.id),
      short: true,
      fuzz: 2_000,
      seed: 20261130,
      verbose: false,
      say: (line) => lines.push(line),
    });
  }, 1_200_000);

  it.each(SCENARIOS.map((s) => [s.id, s.name] as const))(
    'When scenario %i (%s) runs, then nothing accepted is lost or stored twice and the mesh is ready again in time',
    (id) => {
      const row = report.scenarios.find((r) => r.id === id);
      expect(row).toBeDefined();
      const summary = JSON.stringify({
        ...row,
        lostKeys: row?.lostKeys.slice(0, 5),
        duplicatedKeys: row?.duplicatedKeys.slice(0, 5),
      });
      expect({
        id,
        lost: row?.lost,
        duplicated: row?.duplicated,
        readyAgain: row?.readyAgain,
        pass: row?.pass,
        summary,
      }).toEqual({
        id,
        lost: 0,
        duplicated: 0,
        readyAgain: true,
        pass: true,
        summary,
      });
      expect(row?.accepted).toBeGreaterThan(0);
    },
  );

  it('When 2,000 fuzzed requests hit the broker, then none gets a 5xx or no answer, and the mesh is ready and drains afterwards', () => {
    const fuzz = report.fuzz;
    expect(fuzz).toBeDefined();
    expect({
      serverErrors: fuzz?.serverErrors,
      unanswered: fuzz?.unanswered,
      readyAfter: fuzz?.readyAfter,
      drained: fuzz?.drained,
      failures: fuzz?.failures.slice(0, 3),
    }).toEqual({ serverErrors: 0, unanswered: 0, readyAfter: true, drained: true, failures: [] });
    expect(fuzz?.sent).toBeGreaterThan(1_900);
  });
});
