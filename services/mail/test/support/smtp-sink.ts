import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { setTimeout as later } from 'node:timers/promises';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  port: number;
  received: ReceivedMail[];
  /** Stops listening and drops open sessions: the port refuses connections until start(). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Every message from now on is refused with this reply code (e.g. 550). */
  rejectWith(code: number | undefined): void;
  /** MAIL FROM is refused with this reply from now on (e.g. 530: no login), undefined to accept. */
  refuseSender(code: number | undefined): void;
  /** New connections are greeted with this refusal (e.g. 554: our address blocked), or not. */
  refuseGreeting(code: number | undefined): void;
  /** Awaited after a message's data arrived and before it is accepted (250). */
  beforeAccept(hook: (() => Promise<void>) | undefined): void;
  /** Every message from now on is answered only after this long (a slow server). */
  delayReplies(ms: number): void;
  /** Messages whose data arrived and whose reply is still pending (a slow server's backlog). */
  readonly inFlight: number;
  /** How many times each Message-ID arrived: the duplicate check, at the receiving end. */
  countsByMessageId(): Map<string, number>;
}

/** A real SMTP server in this process: what the mail service sends arrives here, parsed. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let rejectCode: number | undefined;
  let senderRefusal: number | undefined;
  let greetingRefusal: number | undefined;
  let acceptHook: (() => Promise<void>) | undefined;
  const smtpError = (message: string, responseCode: number) =>
    Object.assign(new Error(message), { responseCode });
  let replyDelayMs = 0;
  let inFlight = 0;
  let server: SMTPServer | undefined;
  let boundPort = port;

  const listen = async () => {
    const instance = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 50,
      onConnect(_session, callback) {
        if (greetingRefusal === undefined) callback();
        else callback(smtpError('service refused to your address', greetingRefusal));
      },
      onMailFrom(_address, _session, callback) {
        if (senderRefusal === undefined) callback();
        else callback(smtpError('Authentication required', senderRefusal));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        inFlight++;
        stream.on(
          'end',
          () =>
            void later(replyDelayMs)
              .then(() => reply())
              .finally(() => inFlight--),
        );
        const reply = () => {
          if (rejectCode !== undefined) {
            const err = Object.assign(new Error('mailbox unavailable'), {
              responseCode: rejectCode,
            });
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          (acceptHook ?? (() => Promise.resolve()))()
            .then(() => simpleParser(raw))
            .then(
              (parsed) => {
                received.push({
                  envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                  envelopeTo: session.envelope.rcptTo.map((r) => r.address),
                  raw,
                  parsed,
                });
                callback();
              },
              (err: Error) => callback(err),
            );
        };
      },
    });
    instance.listen(boundPort, '127.0.0.1');
    await once(instance.server, 'listening');
    boundPort = (instance.server.address() as AddressInfo).port;
    server = instance;
  };

  await listen();
  return {
    get port() {
      return boundPort;
    },
    get inFlight() {
      return inFlight;
    },
    received,
    async stop() {
      const current = server;
      server = undefined;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    start: listen,
    rejectWith(code) {
      rejectCode = code;
    },
    refuseSender(code) {
      senderRefusal = code;
    },
    refuseGreeting(code) {
      greetingRefusal = code;
    },
    beforeAccept(hook) {
      acceptHook = hook;
    },
    delayReplies(ms) {
      replyDelayMs = ms;
    },
    countsByMessageId() {
      const counts = new Map<string, number>();
      for (const mail of received) {
        const id = mail.parsed.messageId ?? '';
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
  };
}
