import { randomUUID } from 'node:crypto';

export interface MailRequest {
  from?: string;
  to: string;
  subject: string;
  message: string;
}

/** A valid `POST /send` body, unique per call so each test finds its own mail. */
export function aMailRequest(overrides: Partial<MailRequest> = {}): MailRequest {
  const tag = randomUUID().slice(0, 8);
  return {
    from: 'sender@example.com',
    to: `recipient-${tag}@example.com`,
    subject: `Hello ${tag}`,
    message: `First paragraph ${tag}.\n\nSecond paragraph.`,
    ...overrides,
  };
}
