import { SpanKind, withSpan } from '@micromesh/kit';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Mailer, OutgoingMail } from '../../domain/ports';
import { classifySmtpError } from './classify-smtp-error';

export interface SmtpSettings {
  host: string;
  port: number;
  encryption: 'none' | 'tls' | 'ssl';
  username?: string;
  password?: string;
  fromName: string;
  defaultFrom: string;
  timeoutMs: number;
  maxConnections: number;
}

export interface SmtpMailer extends Mailer {
  /** Opens a connection and greets the server; rejects when it cannot. */
  verify(): Promise<void>;
  close(): void;
}

/** A pooled nodemailer transport that never reads files or URLs into a message. */
export function createSmtpMailer(settings: SmtpSettings): SmtpMailer {
  const options: SMTPPool.Options = {
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.encryption === 'ssl',
    requireTLS: settings.encryption === 'tls',
    ignoreTLS: settings.encryption === 'none',
    auth: settings.username ? { user: settings.username, pass: settings.password } : undefined,
    maxConnections: settings.maxConnections,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transport: Transporter<SMTPPool.SentMessageInfo> = nodemailer.createTransport(options);

  return {
    send(mail: OutgoingMail) {
      // The configured display name goes only with the configured address, never a caller's.
      const from =
        mail.from === settings.defaultFrom
          ? { name: settings.fromName, address: mail.from }
          : mail.from;
      // One CLIENT span per SMTP attempt (the first in the request's trace, retries in theirs).
      return withSpan(
        'smtp send',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'server.address': settings.host,
            'server.port': settings.port,
            'smtp.message_id': mail.messageId,
          },
        },
        async () => {
          try {
            await transport.sendMail({
              messageId: mail.messageId,
              from,
              to: mail.to,
              subject: mail.subject,
              text: mail.text,
              html: mail.html,
              disableFileAccess: true,
              disableUrlAccess: true,
            });
          } catch (err) {
            throw classifySmtpError(err);
          }
        },
      );
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}
