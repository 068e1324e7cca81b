import { classifySmtpError } from '../src/adapters/smtp/classify-smtp-error';

/** A nodemailer error as its SMTP connection builds it (code, reply, the command it answered). */
const smtpError = (code: string, command: string, responseCode?: number, response?: string) =>
  Object.assign(new Error('smtp'), { code, command, responseCode, response });

describe('classifySmtpError', () => {
  it.each([
    ['550 to RCPT TO', smtpError('EENVELOPE', 'RCPT TO', 550, '550 5.1.1 no such user')],
    ['554 to the end of DATA', smtpError('EMESSAGE', 'DATA', 554, '554 5.7.1 spam')],
    ['552 to MAIL FROM (too large)', smtpError('EENVELOPE', 'MAIL FROM', 552, '552 5.3.4 size')],
  ])('When the server refuses this message (%s), then it is permanent', (_what, err) => {
    const failure = classifySmtpError(err);
    expect(failure).toMatchObject({ permanent: true, setup: false, serverDown: false });
  });

  it.each([
    ['530 to MAIL FROM (no login)', smtpError('EENVELOPE', 'MAIL FROM', 530, '530 5.7.0 auth')],
    ['553 to MAIL FROM (sender)', smtpError('EENVELOPE', 'MAIL FROM', 553, '553 5.7.1 not owned')],
    ['554 greeting', smtpError('EPROTOCOL', 'CONN', 554, '554 go away')],
    ['550 to EHLO', smtpError('ECONNECTION', 'EHLO', 550, '550 no')],
    ['530 to RCPT TO (relay wants a login)', smtpError('EENVELOPE', 'RCPT TO', 530)],
    ['a wrong password', smtpError('EAUTH', 'AUTH PLAIN', 535, '535 5.7.8 bad')],
    ['a TLS failure', smtpError('ETLS', 'STARTTLS')],
  ])('When the server refuses our set-up (%s), then it is a retried set-up failure', (_w, err) => {
    const failure = classifySmtpError(err);
    expect(failure).toMatchObject({ permanent: false, setup: true });
  });

  it('When the server says "not now" (451 to MAIL FROM), then it is retried, not a set-up failure', () => {
    const failure = classifySmtpError(smtpError('EENVELOPE', 'MAIL FROM', 451));
    expect(failure).toMatchObject({ permanent: false, setup: false, serverDown: false });
  });

  it('When the server cannot be reached, then deliveries pause (serverDown)', () => {
    const failure = classifySmtpError(smtpError('ECONNECTION', 'CONN'));
    expect(failure).toMatchObject({ permanent: false, setup: false, serverDown: true });
  });
});
