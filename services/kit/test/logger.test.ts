import pino from 'pino';
import { runWithRequestContext, TurnBufferedDestination } from '@micromesh/kit';
import { captureLogs } from '@micromesh/kit/testing';

describe('createLogger', () => {
  it('When a log call carries credentials, then they are redacted', () => {
    const { logger, lines } = captureLogs('kit-test');
    logger.info(
      {
        password: 'hunter22',
        user: { email: 'a@b.c', password_hash: '$2b$12$x' },
        headers: { authorization: 'Bearer abc', 'x-api-key': 'mmk_secret', accept: 'json' },
      },
      'careless',
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/hunter22|\$2b\$12|Bearer abc|mmk_secret/);
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      user: { email: 'a@b.c', password_hash: '[redacted]' },
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' },
    });
  });

  it('When logging inside a request context, then the line carries the service and reqId', () => {
    const { logger, lines } = captureLogs('kit-test');
    runWithRequestContext({ requestId: 'req-42' }, () => logger.warn('inside'));
    logger.warn('outside');
    expect(lines[0]).toMatchObject({ service: 'kit-test', reqId: 'req-42', level: 'warn' });
    expect(lines[1]).not.toHaveProperty('reqId');
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('TurnBufferedDestination', () => {
  const target = () => {
    const writes: string[] = [];
    let syncFlushes = 0;
    return {
      writes,
      syncFlushes: () => syncFlushes,
      stream: {
        write: (text: string) => void writes.push(text),
        flushSync: () => void syncFlushes++,
      },
    };
  };
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('When lines are written in one event-loop turn, then they reach the target as one write at the end of it', async () => {
    const t = target();
    const buffered = new TurnBufferedDestination(t.stream, 0);
    buffered.write('a\n');
    buffered.write('b\n');
    buffered.write('c\n');
    expect(t.writes).toEqual([]);
    await nextTurn();
    expect(t.writes).toEqual(['a\nb\nc\n']);
    buffered.write('d\n');
    await nextTurn();
    expect(t.writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('When lines keep coming right after a write, then they wait out the interval and leave together', async () => {
    const t = target();
    const buffered = new TurnBufferedDestination(t.stream, 40);
    buffered.write('first\n');
    await nextTurn();
    expect(t.writes).toEqual(['first\n']);
    buffered.write('second\n');
    await nextTurn();
    buffered.write('third\n');
    await nextTurn();
    expect(t.writes).toEqual(['first\n']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(t.writes).toEqual(['first\n', 'second\nthird\n']);
  });

  it('When a lone line is written at idle, then it leaves on the next turn, not after a timer', async () => {
    const t = target();
    const buffered = new TurnBufferedDestination(t.stream);
    buffered.write('alone\n');
    await nextTurn();
    expect(t.writes).toEqual(['alone\n']);
  });

  it('When flushSync is called (exit), then gathered lines are written at once and the target flushed', () => {
    const t = target();
    const buffered = new TurnBufferedDestination(t.stream);
    buffered.write('last words\n');
    buffered.flushSync();
    expect(t.writes).toEqual(['last words\n']);
    expect(t.syncFlushes()).toBe(1);
  });

  it('When a pino logger writes through it, then every line is whole JSON', async () => {
    const t = target();
    const logger = pino({ timestamp: false }, new TurnBufferedDestination(t.stream));
    for (let i = 0; i < 5; i++) logger.info({ i }, 'line');
    await nextTurn();
    expect(t.writes).toHaveLength(1);
    const lines = t.writes[0]!.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number });
    expect(lines.map((l) => l.i)).toEqual([0, 1, 2, 3, 4]);
  });
});
