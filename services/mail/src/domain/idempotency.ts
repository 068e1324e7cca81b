import { createHash } from 'node:crypto';
import type { MailContent } from './mail-content';

/** Fingerprint of what was asked, so a reused key with a different payload is recognised. */
export function payloadHash(content: MailContent): string {
  const canonical = JSON.stringify([content.from, content.to, content.subject, content.message]);
  return createHash('sha256').update(canonical).digest('hex');
}
