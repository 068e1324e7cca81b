/**
 * Waits for `work` to settle, but never longer than `ms`. Closing an AMQP channel or connection
 * waits for the broker's close-ok, which a hung broker never sends; shutdown must not hang on it
 * (heartbeats end such a socket anyway).
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
