import { randomUUID } from 'node:crypto';
import { deliverMessage, type DeliveryDeps, type DeliveryOutcome } from './deliver-message';

/**
 * The outbox consumer's story: once SMTP is reachable, take the message under a fresh lease if
 * it is still queued, and try it. A message already sent, failed or being sent by someone else is skipped, so a
 * redelivered or duplicated queue message never sends a second mail.
 */
export async function retryMessage(
  deps: DeliveryDeps,
  id: string,
  signal?: AbortSignal,
): Promise<DeliveryOutcome | 'skipped'> {
  // While SMTP is unreachable the message stays queued and unclaimed: no attempt is spent on it.
  await deps.gate?.whenOpen(signal);
  const token = randomUUID();
  const message = await deps.store.claim(id, token, deps.leaseMs);
  if (!message) return 'skipped';
  return deliverMessage(deps, message, token);
}
