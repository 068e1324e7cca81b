import {
  captureLogs,
  createTestDatabase,
  createTestVhost,
  type TestDatabase,
  type TestVhost,
  waitFor,
} from '@micromesh/kit/testing';
import { startMail, type StartedMail } from '../../src/app';
import { loadMailConfig } from '../../src/config';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

export const FROM_ADDRESS = 'noreply@micromesh.test';

/** Short delays so retries happen within a test; the real defaults are seconds to minutes. */
export function testEnv(db: TestDatabase, vhost: { url: string }, smtpPort: number) {
  return {
    PORT: '0',
    LOG_LEVEL: 'silent',
    MAIL_HOST: '127.0.0.1',
    MAIL_PORT: String(smtpPort),
    MAIL_ENCRYPTION: 'none',
    FROM_NAME: 'micromesh test',
    FROM_ADDRESS,
    MAIL_DATABASE_URL: db.url,
    AMQP_URL: vhost.url,
    MAIL_SMTP_TIMEOUT_MS: '3000',
    MAIL_SEND_WAIT_MS: '2000',
    MAIL_STALE_SENDING_MS: '20000',
    MAIL_RETRY_DELAYS_MS: '200,500',
    MAIL_SWEEP_INTERVAL_MS: '300',
  };
}

export interface MailHarness {
  db: TestDatabase;
  vhost: TestVhost;
  smtp: SmtpSink;
  logs: Record<string, unknown>[];
  env: Record<string, string>;
  mail: StartedMail;
  /** Starts another instance on the same database, vhost and SMTP server (after a stop). */
  restart(): Promise<StartedMail>;
  close(): Promise<void>;
}

/** The real mail service against a fresh database, a fresh vhost and an in-process SMTP server. */
export async function startMailHarness(
  prefix: string,
  envOverrides: Record<string, string> = {},
): Promise<MailHarness> {
  const db = await createTestDatabase(`mail_${prefix}`);
  const vhost = await createTestVhost(`mail-${prefix}`);
  const smtp = await startSmtpSink();
  const { logger, lines } = captureLogs('mail', 'debug');
  const env = { ...testEnv(db, vhost, smtp.port), ...envOverrides };
  const start = async () => {
    const mail = await startMail(loadMailConfig(env), { logger });
    await waitFor(
      async () => {
        const res = await fetch(`${mail.address.url}/readyz`);
        const body = (await res.json()) as { data?: { checks?: { rabbitmq?: { ok?: boolean } } } };
        return body.data?.checks?.rabbitmq?.ok;
      },
      { what: 'the mail service to connect to RabbitMQ', timeoutMs: 15_000 },
    );
    return mail;
  };
  const harness: MailHarness = {
    db,
    vhost,
    smtp,
    logs: lines,
    env,
    mail: await start(),
    async restart() {
      harness.mail = await start();
      return harness.mail;
    },
    async close() {
      await harness.mail.stop();
      await smtp.stop();
      await vhost.drop();
      await db.drop();
    },
  };
  return harness;
}
