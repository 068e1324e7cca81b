import type { LogEvent } from '@micromesh/contracts';
import { DEAD_LETTER_QUEUE, LISTENER_QUEUE } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import { readDeadLetters, readyMessages } from './support/dead-letters';
import { anEvent, manyEvents } from './support/events';
import { FRONT_REFUSAL } from './support/logger-front';
import { metricValue, startListenerMesh, type ListenerMesh } from './support/listener-mesh';
import { watchReadiness } from './support/readiness-watch';

jest.setTimeout(120_000);

/** How long a poison message may hold up the stream, at most (it is seconds in practice). */
const WITHIN_MS = 10_000;

/** Over AMQP: the management API's counts lag by seconds. */
async function readyDeadLetters(mesh: ListenerMesh): Promise<number> {
  return readyMessages(mesh.amqpUrl, DEAD_LETTER_QUEUE);
}

async function untilReady(mesh: ListenerMesh): Promise<void> {
  await waitFor(async () => (await fetch(`${mesh.listener.url}/readyz`)).ok, {
    timeoutMs: 30_000,
    what: 'listener ready',
  });
}

/**
 * Publishes valid events, the poison message, and more valid events straight onto logs_topic (no
 * broker in front), then waits for the dead letter; returns the valid ones and the time it took.
 */
async function publishAround(mesh: ListenerMesh, poison: LogEvent, deadLetters = 1) {
  const before = manyEvents(50);
  const after = manyEvents(200);
  const started = Date.now();
  await mesh.publisher.publishAll(before);
  await mesh.publisher.publishAll([poison]);
  await mesh.publisher.publishAll(after);
  await waitFor(async () => (await readyDeadLetters(mesh)) === deadLetters, {
    timeoutMs: WITHIN_MS,
    what: 'the poison message in the dead-letter queue',
  });
  return { valid: [...before, ...after], deadLetteredAfterMs: Date.now() - started };
}

async function expectAllStoredAndAcked(mesh: ListenerMesh, valid: readonly LogEvent[]) {
  await waitFor(async () => (await mesh.logs.countsOf(valid)).rows === valid.length, {
    timeoutMs: WITHIN_MS,
    what: 'every valid event stored',
  });
  await waitFor(async () => (await mesh.vhost!.queueDepth(LISTENER_QUEUE)) === 0, {
    timeoutMs: WITHIN_MS,
    what: 'the listener queue fully acked',
  });
  expect(await mesh.logs.countsOf(valid)).toEqual({ rows: valid.length, distinct: valid.length });
}

describe('listener dead letters: messages that can never be stored', () => {
  const STORE_REFUSES = 'the store refuses exactly this text';
  let mesh: ListenerMesh;

  beforeAll(async () => {
    // The front refuses this data as the logger refuses what its store cannot hold.
    mesh = await startListenerMesh('listener-refused', { loggerFront: {} });
    mesh.front!.refuseData(STORE_REFUSES);
    await untilReady(mesh);
  });
  afterAll(() => mesh?.close());

  it('When an event whose data holds a NUL character is put into the queue, then the contract catches it and it is dead-lettered within seconds with its reason, the events behind it are stored and acked, and the listener stays ready', async () => {
    // Arrange
    const poison = anEvent({ name: 'nul-in-data', data: 'a\u0000b' });
    const readiness = watchReadiness(mesh.listener);

    // Act
    const { valid } = await publishAround(mesh, poison);
    await expectAllStoredAndAcked(mesh, valid);

    // Assert
    const statuses = await readiness.stop();
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const letters = await readDeadLetters(mesh.amqpUrl);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      messageId: poison.event_id,
      routingKey: `log.${poison.level}`,
      reason: 'invalid',
      attempts: 1,
    });
    expect(letters[0]?.detail).toContain('data');
    expect(JSON.parse(letters[0]!.body)).toEqual(poison);
    expect(await mesh.logs.countsOf([poison])).toEqual({ rows: 0, distinct: 0 });
    expect(
      await metricValue(mesh.listener, 'micromesh_dead_letters_total', { reason: 'invalid' }),
    ).toBe(1);
    expect(await metricValue(mesh.listener, 'micromesh_dead_letter_queue_depth')).toBe(1);
  });

  it('When the logger rejects one entry that the contract passes (its store refuses it), then that event alone is dead-lettered within seconds as refused, with the events behind it stored and acked and the listener ready throughout', async () => {
    // Arrange
    const poison = anEvent({ name: 'store-refuses', data: STORE_REFUSES });
    const before = await readDeadLetters(mesh.amqpUrl);
    const readiness = watchReadiness(mesh.listener);

    // Act
    const { valid } = await publishAround(mesh, poison, before.length + 1);
    await expectAllStoredAndAcked(mesh, valid);

    // Assert
    const statuses = await readiness.stop();
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const letter = (await readDeadLetters(mesh.amqpUrl)).find(
      (dead) => dead.messageId === poison.event_id,
    );
    expect(letter).toMatchObject({
      routingKey: `log.${poison.level}`,
      reason: 'refused',
      attempts: 1,
    });
    expect(letter?.detail).toBe(`logger: rejected: ${FRONT_REFUSAL}`);
    expect(await mesh.logs.countsOf([poison])).toEqual({ rows: 0, distinct: 0 });
    expect(
      await metricValue(mesh.listener, 'micromesh_dead_letters_total', { reason: 'refused' }),
    ).toBe(1);
  });
});

describe('listener dead letters: a message that fails with an unexpected error', () => {
  const POISON_NAME = 'answered-internal';
  const MAX_ATTEMPTS = 3;
  let mesh: ListenerMesh;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-unknown-error', {
      listenerEnv: { LISTENER_MAX_ATTEMPTS: String(MAX_ATTEMPTS) },
      loggerFront: { internalForName: POISON_NAME },
    });
    await untilReady(mesh);
  });
  afterAll(() => mesh?.close());

  it('When the logger answers INTERNAL for one event, then that event gets a bounded number of attempts and is dead-lettered, the events behind it are stored and acked, and the listener stays ready', async () => {
    // Arrange
    const poison = anEvent({ name: POISON_NAME, data: 'a perfectly valid event' });
    const readiness = watchReadiness(mesh.listener);

    // Act
    const { valid } = await publishAround(mesh, poison);
    await expectAllStoredAndAcked(mesh, valid);

    // Assert
    const statuses = await readiness.stop();
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const [letter, ...others] = await readDeadLetters(mesh.amqpUrl);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      messageId: poison.event_id,
      reason: 'retries_exhausted',
      attempts: MAX_ATTEMPTS,
    });
    expect(letter?.detail).toBe('logger: INTERNAL: test front: cannot store this entry');
    // The batch it came in, its halves down to itself, then its own attempts: bounded.
    expect(mesh.front!.internalErrors()).toBeLessThanOrEqual(20);
    expect(
      await metricValue(mesh.listener, 'micromesh_dead_letters_total', {
        reason: 'retries_exhausted',
      }),
    ).toBe(1);
  });
});
