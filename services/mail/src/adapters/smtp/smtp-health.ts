import type { SmtpMailer } from './smtp-mailer';

const CACHE_MS = 5_000;

/**
 * Readiness detail: can we open an SMTP session? Cached briefly, so frequent probes do not open a
 * connection each.
 */
export function smtpHealthCheck(mailer: Pick<SmtpMailer, 'verify'>): () => Promise<void> {
  let last: { at: number; result: Promise<void> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > CACHE_MS) last = { at: now, result: mailer.verify() };
    return last.result;
  };
}
