/**
 * Waits for `work` to settle, but never longer than `ms`; true when it settled in time. Closing an
 * AMQP channel or connection waits for the broker's close-ok, which a hung broker never sends;
 * shutdown must not hang on it (heartbeats end such a socket anyway).
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}
