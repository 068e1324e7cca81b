import { DeliveryError } from '../../domain/ports';

interface NodemailerError {
  code?: string;
  responseCode?: number;
}

/**
 * Maps a nodemailer failure to retry-or-not. A 5xx reply is the server's final "no" for this
 * message; everything else (no connection, timeouts, 4xx, TLS trouble) may pass. Authentication
 * failures are retried too: they are our misconfiguration, and the mail should survive its fix.
 * The public message names the kind of failure only, never the server's reply text.
 */
export function classifySmtpError(err: unknown): DeliveryError {
  const { code, responseCode } = (err ?? {}) as NodemailerError;
  if (code === 'EAUTH') {
    return new DeliveryError(false, 'SMTP authentication failed', { cause: err });
  }
  if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) {
    return new DeliveryError(true, `SMTP server rejected the message (${responseCode})`, {
      cause: err,
    });
  }
  if (typeof responseCode === 'number') {
    return new DeliveryError(false, `SMTP server deferred the message (${responseCode})`, {
      cause: err,
    });
  }
  switch (code) {
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
      return new DeliveryError(false, 'SMTP server unreachable', { cause: err, serverDown: true });
    case 'ETIMEDOUT':
      return new DeliveryError(false, 'SMTP server timed out', { cause: err, serverDown: true });
    case 'ETLS':
      return new DeliveryError(false, 'SMTP TLS negotiation failed', { cause: err });
    default:
      return new DeliveryError(false, 'SMTP delivery failed', { cause: err });
  }
}
