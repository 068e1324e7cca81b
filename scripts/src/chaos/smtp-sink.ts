import { SMTPServer } from 'smtp-server';

export type SinkMode = { kind: 'up' } | { kind: 'down' } | { kind: 'slow'; perMessageMs: number };

export interface ChaosSmtpSink {
  port: number;
  /** Messages received per idempotency key (read from the subject: `… key=<key>`). */
  deliveries(): Map<string, number>;
  setMode(mode: SinkMode): Promise<void>;
  close(): Promise<void>;
}

const KEY_IN_SUBJECT = /\bkey=(\S+)/;

/**
 * The SMTP server the chaos mesh sends to: in-process, so a scenario can take it down (stop
 * listening: connections refused) or make it slow (each message answered after a delay), and so
 * every delivery is counted per idempotency key where it lands.
 */
export async function startChaosSmtpSink(port: number): Promise<ChaosSmtpSink> {
  const counts = new Map<string, number>();
  let mode: SinkMode = { kind: 'up' };
  let server: SMTPServer | undefined;

  const listen = async () => {
    const s = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // "Down" means down now: open (pooled) connections are cut shortly after close().
      closeTimeout: 200,
      onData(stream, _session, callback) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (raw += chunk));
        stream.on('end', () => {
          const subject = /^Subject: (.*)$/im.exec(raw)?.[1] ?? '';
          const key = KEY_IN_SUBJECT.exec(subject)?.[1];
          const answer = () => {
            if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
            callback();
          };
          if (mode.kind === 'slow') setTimeout(answer, mode.perMessageMs);
          else answer();
        });
      },
    });
    s.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    port,
    deliveries: () => counts,
    async setMode(next) {
      mode = next;
      if (next.kind === 'down') await stop();
      else if (!server) await listen();
    },
    close: stop,
  };
}
