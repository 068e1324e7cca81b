import { describeIssues, eventSchema, type LogEvent } from '@micromesh/contracts';

export type Decoded =
  { ok: true; event: LogEvent } | { ok: false; reason: 'malformed' | 'invalid'; detail: string };

/**
 * A message body → a valid event, or why not. A message that fails here can never succeed, so the
 * consumer dead-letters it at once instead of redelivering it.
 */
export function decodeEvent(body: Buffer): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed', detail: 'body is not JSON' };
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: 'invalid',
      detail: describeIssues(parsed.error) || 'invalid event',
    };
  }
  return { ok: true, event: parsed.data };
}
