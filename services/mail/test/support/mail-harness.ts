import request from 'supertest';
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

export const MAIL_FROM = 'noreply@micromesh.test';
/** The sender the mail factory uses, allowed by the test configuration. */
export const ALLOWED_SENDER = 'sender@example.com';
/** The principal `send()` names unless told otherwise (the broker forwards a clientKey). */
export const TEST_PRINCIPAL = 'user:mail-test';

/** Short delays so retries happen within a test; the real defaults are seconds to minutes. */
export function testEnv(db: TestDatabase, vhost: { url: string }, smtpPort: number) {
  return {
    PORT: '0',
    LOG_LEVEL: 'silent',
    MAIL_HOST: '127.0.0.1',
    MAIL_PORT: String(smtpPort),
    MAIL_ENCRYPTION: 'none',
    FROM_NAME: 'micromesh test',
    MAIL_FROM,
    MAIL_FROM_ALLOWLIST: ALLOWED_SENDER,
    MAIL_QUOTA_PER_MINUTE: '10000',
    MAIL_QUOTA_PER_DAY: '100000',
    MAIL_DATABASE_URL: db.url,
    AMQP_URL: vhost.url,
    MAIL_SMTP_TIMEOUT_MS: '3000',
    MAIL_SMTP_PROBE_MS: '200',
    MAIL_LOST_AFTER_MS: '20000',
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
  /** `POST /send` on the (current) instance as `principal`. */
  send(principal?: string): request.Test;
  /** Starts another instance on the same database, vhost and SMTP server (after a stop). */
  restart(): Promise<StartedMail>;
  /** Starts a second replica beside the first (same database, vhost, SMTP); closed with it. */
  startReplica(overrides?: Record<string, string>): Promise<StartedMail>;
  close(): Promise<void>;
}

/** The real mail service against a fresh database, a fresh vhost and an in-process SMTP server. */
export async function startMailHarness(
  prefix: string,
  envOverrides: Record<string, string> = {},
  options: { database?: TestDatabase } = {},
): Promise<MailHarness> {
  const db = options.database ?? (await createTestDatabase(`mail_${prefix}`));
  const vhost = await createTestVhost(`mail-${prefix}`);
  const smtp = await startSmtpSink();
  const { logger, lines } = captureLogs('mail', 'debug');
  const env = { ...testEnv(db, vhost, smtp.port), ...envOverrides };
  const replicas: StartedMail[] = [];
  const start = async (extra: Record<string, string> = {}) => {
    const mail = await startMail(loadMailConfig({ ...env, ...extra }), { logger });
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
    send(principal = TEST_PRINCIPAL) {
      return request(harness.mail.address.url).post('/send').set('X-Principal', principal);
    },
    async restart() {
      harness.mail = await start();
      return harness.mail;
    },
    async startReplica(overrides = {}) {
      const replica = await start(overrides);
      replicas.push(replica);
      return replica;
    },
    async close() {
      for (const replica of replicas) await replica.stop();
      await harness.mail.stop();
      await smtp.stop();
      await vhost.drop();
      await db.drop();
    },
  };
  return harness;
}
