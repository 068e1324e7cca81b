import { MAIL_LIMITS, describeIssues, mailRequestSchema } from '@micromesh/contracts';

const aMail = (overrides: Record<string, unknown> = {}) => ({
  to: 'recipient@example.com',
  subject: 'Hello',
  message: 'First line.\n\nSecond paragraph.',
  ...overrides,
});

/** Every issue as `path: message`. */
function problems(input: unknown): string[] {
  const result = mailRequestSchema.safeParse(input);
  return result.success ? [] : describeIssues(result.error).split('; ');
}

/** An address of exactly `length` characters: a 64-character local part and a long domain. */
function addressOfLength(length: number): string {
  const local = 'a'.repeat(64);
  let domain = 'example.com';
  while (local.length + 1 + domain.length < length) {
    const missing = length - (local.length + 1 + domain.length);
    domain = `${'b'.repeat(Math.min(63, Math.max(1, missing - 1)))}.${domain}`;
  }
  return `${local}@${domain}`;
}

describe('mailRequestSchema', () => {
  it('When to, subject and message are sent, then the request is valid as sent', () => {
    expect(mailRequestSchema.parse(aMail())).toEqual(aMail());
  });

  it('When from is left out, empty or null, then the request is valid (the configured sender is used)', () => {
    expect(problems(aMail())).toEqual([]);
    expect(problems(aMail({ from: '' }))).toEqual([]);
    expect(problems(aMail({ from: null }))).toEqual([]);
    expect(problems(aMail({ from: 'sender@example.com' }))).toEqual([]);
  });

  it('When unknown fields (attachments, headers, bcc) are sent, then they are dropped', () => {
    const parsed = mailRequestSchema.parse(
      aMail({ attachments: [{ path: '/etc/passwd' }], headers: { Bcc: 'x@example.com' } }),
    );

    expect(Object.keys(parsed).sort()).toEqual(['message', 'subject', 'to']);
  });

  it('When the subject is exactly at its limit, then it is valid; one character more is refused with the limit named', () => {
    expect(MAIL_LIMITS.subjectLength).toBe(200);
    expect(problems(aMail({ subject: 's'.repeat(MAIL_LIMITS.subjectLength) }))).toEqual([]);
    expect(problems(aMail({ subject: 's'.repeat(MAIL_LIMITS.subjectLength + 1) }))).toEqual([
      'subject: must be at most 200 characters',
    ]);
  });

  it('When the message is exactly at its limit, then it is valid; one character more is refused with the limit named', () => {
    expect(problems(aMail({ message: 'm'.repeat(MAIL_LIMITS.messageLength) }))).toEqual([]);
    expect(problems(aMail({ message: 'm'.repeat(MAIL_LIMITS.messageLength + 1) }))).toEqual([
      `message: must be at most ${MAIL_LIMITS.messageLength} characters`,
    ]);
  });

  it('When an address is exactly at its limit, then it is valid; one character more is refused with the limit named', () => {
    const longest = addressOfLength(MAIL_LIMITS.addressLength);
    const tooLong = addressOfLength(MAIL_LIMITS.addressLength + 1);

    expect(longest).toHaveLength(254);
    expect(tooLong).toHaveLength(255);
    expect(problems(aMail({ to: longest }))).toEqual([]);
    expect(problems(aMail({ to: tooLong }))).toEqual(['to: must be at most 254 characters']);
  });

  it('When the subject carries a line break or a control character, then it is refused', () => {
    expect(problems(aMail({ subject: 'Hi\r\nBcc: victim@example.com' }))).toEqual([
      'subject: must not contain line breaks',
      'subject: must not contain control characters',
    ]);
    expect(problems(aMail({ subject: 'Hi\u0007there' }))).toEqual([
      'subject: must not contain control characters',
    ]);
  });

  it('When the subject or message is blank or missing, then each is named', () => {
    expect(problems(aMail({ subject: '   ', message: undefined }))).toEqual([
      'subject: must not be empty',
      'message: Invalid input: expected string, received undefined',
    ]);
  });

  it('When the subject or message holds half of a surrogate pair, then it is refused (PostgreSQL would store U+FFFD instead)', () => {
    expect(problems(aMail({ subject: 'cut \uD83D emoji', message: 'tail \uDE00' }))).toEqual([
      'subject: must not contain unpaired UTF-16 surrogates',
      'message: must not contain unpaired UTF-16 surrogates',
    ]);
    expect(problems(aMail({ subject: 'whole \uD83D\uDE00 emoji' }))).toEqual([]);
  });
});
