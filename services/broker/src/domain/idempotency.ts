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
 * UUIDv5 (RFC 9562) of `<principal>\n<action>\n<key>`: the event id of a key claimed before the
 * broker kept a (random) event id with each claim. Only a repeat of such a key still uses it, so a
 * retry across the upgrade writes the id its first attempt wrote; never for a new claim, because
 * an id that outlives its key would make the logger drop the key's next request as a duplicate.
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

/**
 * A log or event payload as the same request is recognised: the default level left out, so
 * `"level":"INFO"` (any spelling) and no level, which store the same record, hash alike. Left out
 * rather than filled in, so the hash of a level-less request is the one earlier versions kept.
 */
export function withoutDefaultLevel<T extends { level?: string | undefined }>(payload: T): T {
  return payload.level === 'INFO' ? { ...payload, level: undefined } : payload;
}

/**
 * SHA-256 of the action and its validated payload (zod's output: names trimmed, levels in their
 * canonical spelling, unknown fields dropped) as JSON with sorted keys and no undefined members.
 */
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
