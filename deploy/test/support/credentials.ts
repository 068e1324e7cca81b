/** Heuristics shared by the k8s and compose policies for "is this a credential?". */

/** user:password@ inside a URL. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:([^@\s]+)@/i;
const SECRET_KEY_NAME = /(PASSWORD|PASS|SECRET|TOKEN|PRIVATE_KEY|API_KEY)$/i;

/** The password inside a connection URL, or null. */
export function urlPassword(value: string): string | null {
  return URL_WITH_PASSWORD.exec(value)?.[1] ?? null;
}

export function isSecretKeyName(key: string): boolean {
  return SECRET_KEY_NAME.test(key);
}

/** A key/value pair that carries a credential (by name or as a URL password). */
export function carriesCredential(key: string, value: string): boolean {
  return (isSecretKeyName(key) && value.length > 0) || urlPassword(value) !== null;
}

/** Obvious development literal: says so in its text, so nobody mistakes it for a real one. */
export function isObviousDevLiteral(key: string, value: string): boolean {
  const secretPart = urlPassword(value) ?? (isSecretKeyName(key) ? value : '');
  return secretPart === '' || /dev-only/.test(secretPart);
}
