/**
 * Who a mail may come from: the configured sender, or one of an explicit allowlist. Anything else
 * is refused, so the mesh is never an open relay for addresses a caller types. The broker checks
 * it at the edge and the mail service again (both read MAIL_FROM and MAIL_FROM_ALLOWLIST).
 */
export interface SenderPolicy {
  /** The sender used when the caller names none. */
  readonly defaultFrom: string;
  /** The sender to use for `from`, or undefined when `from` is not allowed. */
  resolve(from: string | null | undefined): string | undefined;
}

export function senderPolicy(defaultFrom: string, allowlist: readonly string[]): SenderPolicy {
  // Addresses are compared without case: no mail system treats these as different senders.
  const allowed = new Map(
    [defaultFrom, ...allowlist].map((address) => [address.toLowerCase(), address]),
  );
  return {
    defaultFrom,
    resolve(from) {
      if (from === undefined || from === null || from === '') return defaultFrom;
      return allowed.get(from.toLowerCase());
    },
  };
}

/** The reason shown when `from` is refused: names the default sender, never the allowlist. */
export function senderRefusal(policy: SenderPolicy): string {
  return `must be the configured sender (${policy.defaultFrom}) or an allowed one; leave it out to send from ${policy.defaultFrom}`;
}
