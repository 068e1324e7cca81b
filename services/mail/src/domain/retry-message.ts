import { deliverMessage, type DeliveryDeps, type DeliveryOutcome } from './deliver-message';

/**
 * The retry consumer's story: take the message if it is still queued and try again. A message
 * already sent, failed or being sent by someone else is skipped, so a redelivered or duplicated
 * queue message never sends a second mail.
 */
export async function retryMessage(
  deps: DeliveryDeps,
  id: string,
): Promise<DeliveryOutcome | 'skipped'> {
  const message = await deps.store.claim(id);
  if (!message) return 'skipped';
  return deliverMessage(deps, message);
}
