import request from 'supertest';
import { waitFor } from '@micromesh/kit/testing';
import type { MailHarness } from './mail-harness';

export interface PublicStatus {
  id: string;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
}

export async function statusOf(h: MailHarness, id: string): Promise<PublicStatus> {
  return (await request(h.mail.address.url).get(`/messages/${id}`)).body.data as PublicStatus;
}

/** Waits until the message reaches `status` (sent or failed) and returns its public state. */
export function waitForStatus(
  h: MailHarness,
  id: string,
  status: 'sent' | 'failed',
  timeoutMs = 20_000,
): Promise<PublicStatus> {
  return waitFor(
    async () => {
      const current = await statusOf(h, id);
      return current.status === status ? current : undefined;
    },
    { what: `message ${id} to be ${status}`, timeoutMs },
  );
}

export const receivedBy = (h: MailHarness, to: string) =>
  h.smtp.received.filter((m) => m.envelopeTo.includes(to));
