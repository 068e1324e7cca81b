import { Client } from 'pg';
import { setTestDatabaseReadOnly, waitFor } from '@micromesh/kit/testing';
import { aMailRequest } from './support/mail-factory';
import { startMailHarness, type MailHarness } from './support/mail-harness';
import { waitForStatus } from './support/mail-waits';

jest.setTimeout(60_000);

const LEASE_MS = 3_000;

/** Ends every session of the test database but this one (a restart, a failover, a cut). */
async function cutSessions(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
  } finally {
    await client.end();
  }
}

describe('Recording a delivered mail when PostgreSQL blips', () => {
  let h: MailHarness;

  beforeAll(async () => {
    h = await startMailHarness('sent-blip', {
      MAIL_LEASE_MS: String(LEASE_MS),
      MAIL_SWEEP_INTERVAL_MS: '100',
    });
  });
  afterAll(async () => {
    h.smtp.beforeAccept(undefined);
    await setTestDatabaseReadOnly(h.db.name, false);
    await h.close();
  });

  it('When PostgreSQL refuses writes for a second just as SMTP accepts the mail, then "sent" is recorded once it is back and the mail is not sent again', async () => {
    // Arrange: the database turns read-only (sessions cut) right before the server says 250,
    // and comes back a second later
    let blips = 0;
    let restored: Promise<void> | undefined;
    h.smtp.beforeAccept(async () => {
      if (blips++ > 0) return;
      await setTestDatabaseReadOnly(h.db.name, true);
      restored = new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          setTestDatabaseReadOnly(h.db.name, false)
            .then(() => cutSessions(h.db.url)) // sessions opened read-only end too
            .then(resolve, reject);
        }, 1_000);
      });
    });
    const body = aMailRequest();

    // Act
    const res = await h.send().send(body);
    expect(res.status).toBe(202);
    const id = res.body.data.id as string;

    // Assert: recorded as sent after the blip, and no second copy after the lease would have run
    // out and the sweeper would have queued it again (lease + requeue pause + sweeps)
    await waitFor(() => blips > 0 && restored !== undefined, {
      what: 'the blip',
      timeoutMs: 15_000,
    });
    await restored;
    await waitForStatus(h, id, 'sent', 15_000);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 3_000));
    const copies = h.smtp.received.filter((m) => m.envelopeTo.includes(body.to));
    expect(copies).toHaveLength(1);
    expect(blips).toBe(1);
    expect(
      h.logs.some((l) => String(l.msg).startsWith('recording the delivery outcome failed')),
    ).toBe(true);
  });
});
