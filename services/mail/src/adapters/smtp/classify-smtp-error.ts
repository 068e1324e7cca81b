import { DeliveryError } from '../../domain/ports';

interface NodemailerError {
  code?: string;
  responseCode?: number;
  /** The SMTP command the reply answered: CONN (greeting), EHLO, AUTH …, MAIL FROM, RCPT TO, DATA. */
  command?: string;
  response?: string;
}

/** Replies to these commands are about this message: its recipient or its content. */
const MESSAGE_COMMANDS = new Set(['RCPT TO', 'DATA']);
/** "Authentication required / failed / too weak / encryption required": always about us. */
const AUTHENTICATION_CODES = new Set([530, 534, 535, 538]);

/**
 * Maps a nodemailer failure to what it says about the next attempt, by the SMTP command that
 * failed:
 * - a 5xx to RCPT TO or DATA is the server's final "no" for this message: permanent;
 * - a 5xx to the greeting, EHLO/HELO, STARTTLS, AUTH or MAIL FROM (our configured sender), an
 *   authentication reply (530/534/535/538) to any command, and TLS or authentication failures
 *   are about our set-up (login missing, sender not allowed, our IP refused): every mail would
 *   fail the same way, so it is a `setup` failure: deliveries pause and the mail waits for the fix;
 * - a 5xx to MAIL FROM that says the message is too large (552, 5.3.4) is about this message;
 * - no connection or timeouts: the server is down; 4xx: "not now". Both are retried.
 * The public message names the kind of failure only, never the server's reply text.
 */
export function classifySmtpError(err: unknown): DeliveryError {
  const { code, responseCode, command, response } = (err ?? {}) as NodemailerError;
  const replied = typeof responseCode === 'number';
  if (code === 'EAUTH' || (replied && AUTHENTICATION_CODES.has(responseCode))) {
    const what = replied ? ` (${responseCode})` : '';
    return new DeliveryError(false, `SMTP authentication failed${what}`, {
      cause: err,
      setup: true,
    });
  }
  if (replied && responseCode >= 500 && responseCode < 600) {
    if (command !== undefined && MESSAGE_COMMANDS.has(command)) {
      return new DeliveryError(true, `SMTP server rejected the message (${responseCode})`, {
        cause: err,
      });
    }
    if (command === 'MAIL FROM' && messageTooLarge(responseCode, response)) {
      return new DeliveryError(true, `SMTP server rejected the message size (${responseCode})`, {
        cause: err,
      });
    }
    return new DeliveryError(
      false,
      `SMTP server refused us at ${stage(command)} (${responseCode})`,
      {
        cause: err,
        setup: true,
      },
    );
  }
  if (replied) {
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
    case 'EREQUIRETLS':
      return new DeliveryError(false, 'SMTP TLS negotiation failed', { cause: err, setup: true });
    default:
      return new DeliveryError(false, 'SMTP delivery failed', { cause: err });
  }
}

function messageTooLarge(responseCode: number, response: string | undefined): boolean {
  return responseCode === 552 || /\b5\.3\.4\b/.test(response ?? '');
}

/** A name for the step the server refused, for the stored (public) error. */
function stage(command: string | undefined): string {
  switch (command) {
    case 'CONN':
      return 'the greeting';
    case 'MAIL FROM':
      return 'MAIL FROM (our sender)';
    case undefined:
      return 'an unknown step';
    default:
      return command;
  }
}
