import { createHash } from 'node:crypto';

/**
 * Namespace of the event ids derived from idempotency keys (UUIDv5). Fixed forever: every broker
 * replica, now and after any upgrade, must derive the same id from the same key.
 */
export const IDEMPOTENT_EVENT_NAMESPACE = 'a16fba41-f3d7-461c-aba7-315483662adb';

/** The caller's retry handle: the key, scoped to who sent it. */
export interface IdempotentRequest {
  /** `principal.clientKey` (`user:<sub>` or `key:<id>`): keys of different callers never meet. */
  principal: string;
  key: string;
}

/**
 * UUIDv5 (RFC 9562) of `<principal>\n<action>\n<key>`: a retry at any replica, at any time, gets
 * the same event_id, so the logger stores one record however often the action runs.
 */
export function idempotentEventId(request: IdempotentRequest, action: string): string {
  const namespace = Buffer.from(IDEMPOTENT_EVENT_NAMESPACE.replace(/-/g, ''), 'hex');
  const name = Buffer.from(`${request.principal}\n${action}\n${request.key}`, 'utf8');
  const hash = createHash('sha1').update(namespace).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** SHA-256 of the action and its validated payload as JSON with sorted keys. */
export function requestHash(action: string, payload: unknown): string {
  return createHash('sha256').update(action).update('\n').update(stableJson(payload)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
