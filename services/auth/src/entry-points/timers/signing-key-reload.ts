import type { Logger } from '@micromesh/kit';
import type { SigningKeyRing } from '../../domain/ports';

/**
 * Rereads the signing keys every `everyMs` (one reload at a time). A directory that cannot be
 * read or holds a bad key keeps the current keys and says so.
 */
export function startSigningKeyReload(
  keys: SigningKeyRing,
  everyMs: number,
  logger: Logger,
): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    keys
      .reload()
      .then(({ changed, signingKid, kids }) => {
        if (changed) logger.info({ signingKid, kids }, 'JWT keys reloaded from the keys directory');
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'JWT keys directory unreadable or invalid; keeping current keys');
      })
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
