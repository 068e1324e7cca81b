import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'mmk_';
/** `mmk_` + 32 random bytes in base64url (43 characters). */
const API_KEY_PATTERN = /^mmk_[A-Za-z0-9_-]{43}$/;
/** How much of a key is kept in clear to recognise it in lists. */
const SHOWN_PREFIX_LENGTH = 12;

export interface NewApiKeySecret {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKeySecret {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, SHOWN_PREFIX_LENGTH), hash: hashApiKey(key) };
}

/** Keys carry 256 random bits, so an unsalted SHA-256 is enough (and allows lookup by hash). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function looksLikeApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}
