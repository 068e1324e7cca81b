import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosEnvironment } from './environment';
import { storedLogCopies } from './tally';
import { actionBody, sendWithRetries, type Action } from './traffic';

/**
 * After a fault or a fuzz run: one `log`, one `event` and one `mail` through the broker, each
 * followed to where it lands. True when all three arrive within `timeoutMs`.
 */
export async function pipelinesDrain(
  env: ChaosEnvironment,
  token: string,
  timeoutMs = 30_000,
): Promise<{ ok: boolean; missing: Action[] }> {
  const runId = `probe${randomBytes(5).toString('hex')}`;
  const actions: Action[] = ['log', 'event', 'mail'];
  for (const action of actions) {
    const key = `probe-${action}`;
    await sendWithRetries(env.brokerUrl, token, key, actionBody(action, runId, key), 15_000);
  }
  const deadline = Date.now() + timeoutMs;
  let missing: Action[] = actions;
  while (Date.now() < deadline) {
    const logs = await storedLogCopies(env.brokerUrl, token, runId).catch(() => new Map());
    const mail = env.smtp.deliveries();
    missing = actions.filter((a) =>
      a === 'mail' ? !mail.get(`probe-${a}`) : !logs.get(`probe-${a}`),
    );
    if (!missing.length) return { ok: true, missing };
    await sleep(500);
  }
  return { ok: false, missing };
}
