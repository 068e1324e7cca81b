import { isIPv6 } from 'node:net';

/**
 * The rate-limit identity of a client address. An IPv6 host usually owns a whole /64 (SLAAC,
 * privacy addresses), so keying by the full /128 would give one client 2^64 budgets: IPv6 is keyed
 * by its /64 prefix. IPv4 (and IPv4-mapped IPv6, as Node reports dual-stack peers) stays whole.
 */
export function clientAddressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  // Zone ids (fe80::1%eth0) are local detail, not identity.
  const bare = address.split('%')[0]!;
  if (!isIPv6(bare)) return address;
  return `${expandIPv6(bare).slice(0, 4).join(':')}::/64`;
}

/** Eight 16-bit groups, lower-case and without leading zeros (an embedded IPv4 tail converted). */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}
