import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosEnvironment } from './environment';
import type { FaultContext, Scenario } from './scenarios';
import { allLanded, storedLogCopies, tally, type Tally } from './tally';
import { drive } from './traffic';

export interface ScenarioResult extends Tally {
  id: number;
  name: string;
  /** From the fault being lifted to every service ready again; null if never within the bound. */
  recoveryMs: number | null;
  readyAgain: boolean;
  /** Services seen not ready while the scenario ran (poison must leave the listener ready). */
  seenNotReady: string[];
  notes: string[];
  pass: boolean;
  durationMs: number;
}

async function login(brokerUrl: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const res = await fetch(`${brokerUrl}/handle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        action: 'auth',
        auth: { email: 'admin@example.com', password: 'verysecret' },
      }),
    }).catch(() => undefined);
    if (res?.ok) {
      const body = (await res.json()) as { data: { token: { access_token: string } } };
      return body.data.token.access_token;
    }
    await sleep(500);
  }
  throw new Error('could not log in to the chaos mesh');
}

/**
 * One scenario: clients send with Idempotency-Keys and retry as real ones do; the fault is
 * injected and lifted; then the tally of what was accepted against what landed, counted per key.
 */
export async function runScenario(
  env: ChaosEnvironment,
  scenario: Scenario,
  short: boolean,
  say: (line: string) => void,
): Promise<ScenarioResult> {
  const t0 = Date.now();
  const runId = `chaos${randomBytes(5).toString('hex')}`;
  const token = await login(env.brokerUrl);
  const notes: string[] = [];
  const seenNotReady = new Set<string>();
  const loadMs = short ? scenario.loadMs[1] : scenario.loadMs[0];
  const retryForMs = scenario.readyBoundMs + (short ? 20_000 : 60_000);

  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const name of await env.notReady()) seenNotReady.add(name);
      await sleep(250);
    }
  })();

  const ctx: FaultContext = { env, short, runId, token, note: (t) => notes.push(t) };
  let liftedAt = 0;
  say(`scenario ${scenario.id}: ${scenario.name} (${Math.round(loadMs / 1000)} s of load)`);
  const fault = (async () => {
    await sleep(scenario.faultAfterMs);
    say(`scenario ${scenario.id}: injecting the fault`);
    await scenario.inject(ctx);
    liftedAt = Date.now();
    say(`scenario ${scenario.id}: fault lifted`);
  })();
  const [outcomes] = await Promise.all([
    drive({
      brokerUrl: env.brokerUrl,
      token,
      runId,
      clients: scenario.clients,
      durationMs: loadMs,
      mix: scenario.mix,
      retryForMs,
      pauseMs: 20,
    }),
    fault,
  ]);

  // Recovery: every service ready again, measured from the moment the fault was lifted.
  let recoveryMs: number | null = null;
  const readyDeadline = liftedAt + scenario.readyBoundMs;
  while (Date.now() < readyDeadline + 1_000) {
    if (await env.allReady()) {
      recoveryMs = Math.max(0, Date.now() - liftedAt);
      break;
    }
    await sleep(200);
  }
  watching = false;
  await watch;

  // Drain: wait until every accepted request has landed (or the bound passes), then look once
  // more a little later, so a late second copy is counted too.
  const drainDeadline = Date.now() + (short ? 60_000 : 120_000);
  let logCopies = new Map<string, number>();
  for (;;) {
    logCopies = await storedLogCopies(env.brokerUrl, token, runId).catch(() => logCopies);
    if (allLanded(outcomes, logCopies, env.smtp.deliveries()) || Date.now() > drainDeadline) break;
    await sleep(1_000);
  }
  await sleep(2_000);
  logCopies = await storedLogCopies(env.brokerUrl, token, runId).catch(() => logCopies);
  const counts = tally(outcomes, logCopies, env.smtp.deliveries());

  if (ctx.poison) {
    notes.push(
      `poison: ${ctx.poison.sent} requests answered ${JSON.stringify(ctx.poison.statuses)}` +
        `${ctx.poison.queued ? `, ${ctx.poison.queued} pushed into the queue` : ''}`,
    );
  }
  const poisonOk = !ctx.poison || ctx.poison.notRefused === 0;
  // A poison message must never take the listener (or anything) out of readiness.
  const stayedReady = scenario.id !== 7 || seenNotReady.size === 0;
  if (!stayedReady) notes.push(`not ready during poison: ${[...seenNotReady].join(', ')}`);
  const readyAgain = recoveryMs !== null;
  return {
    id: scenario.id,
    name: scenario.name,
    ...counts,
    recoveryMs,
    readyAgain,
    seenNotReady: [...seenNotReady],
    notes,
    pass: counts.lost === 0 && counts.duplicated === 0 && readyAgain && poisonOk && stayedReady,
    durationMs: Date.now() - t0,
  };
}
