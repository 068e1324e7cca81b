import { z } from 'zod';

/*
 * Only plain `local@domain` addresses are accepted: no display names, comments, quoted local
 * parts, groups, lists, IP literals or non-ASCII. That is stricter than RFC 5322 on purpose:
 * every form left out is one that can smuggle a second recipient or a header into the message.
 */
const LOCAL_PART = /^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LEVEL = /^[A-Za-z]{2,63}$/;

export const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;

/** Why `value` is not a plain address, or undefined when it is one. */
export function addressProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'must not contain line breaks';
  if (value.length > MAX_ADDRESS_LENGTH) {
    return `must be at most ${MAX_ADDRESS_LENGTH} characters`;
  }
  if (/[,;]/.test(value)) return 'must be exactly one address (no lists)';
  if (/[<>"():\\[\]\s]/.test(value)) {
    return 'must be a plain address like name@example.com (no names, quotes, groups or spaces)';
  }
  const at = value.lastIndexOf('@');
  if (at <= 0 || value.indexOf('@') !== at) return 'must contain exactly one @';
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) {
    return 'has an invalid local part (letters, digits, . _ % + - only)';
  }
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || !TOP_LEVEL.test(tld)) {
    return 'has an invalid domain';
  }
  return undefined;
}

/** A zod string that is one plain address; the issue message says what is wrong with it. */
export const plainAddress = z.string().superRefine((value, ctx) => {
  const problem = addressProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
