import { DEAD_LETTER_QUEUE, LISTENER_QUEUE } from '@micromesh/kit';
import { startPrivateRabbitMq, waitFor, type PrivateRabbitMq } from '@micromesh/kit/testing';
import { readyMessages } from './support/dead-letters';
import { manyEvents } from './support/events';
import {
  loggerWritten,
  metricValue,
  startListenerMesh,
  type ListenerMesh,
} from './support/listener-mesh';

jest.setTimeout(240_000);

const PACE = { perTick: 100, tickMs: 50 };

// The shared RabbitMQ serves everyone's tests: this suite restarts a private node of its own.
describe('listener: RabbitMQ restart', () => {
  let rabbit: PrivateRabbitMq;
  let mesh: ListenerMesh;

  beforeAll(async () => {
    rabbit = await startPrivateRabbitMq();
    mesh = await startListenerMesh('listener-rabbit-restart', { amqpUrl: rabbit.url });
  });
  afterAll(async () => {
    await mesh?.close();
    await rabbit?.destroy();
  });

  it('When RabbitMQ restarts mid-stream, then the listener reconnects by itself and nothing is lost or stored twice', async () => {
    // Arrange
    const events = manyEvents(4_000);
    const writtenBefore = await loggerWritten(mesh);
    const stream = mesh.publisher.stream(events, PACE);
    await waitFor(async () => (await mesh.logs.countsOf(events)).rows >= 400, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'the listener forwarding the stream',
    });

    // Act
    await rabbit.stop();
    const storedDuringRestart = (await mesh.logs.countsOf(events)).rows;
    await waitFor(async () => (await fetch(`${mesh.listener.url}/readyz`)).status === 503, {
      timeoutMs: 15_000,
      what: 'the listener reporting not ready while RabbitMQ is down',
    });
    await rabbit.start();
    await stream.done;

    // Assert
    expect(storedDuringRestart).toBeLessThan(4_000);
    await waitFor(async () => (await mesh.logs.countsOf(events)).rows === 4_000, {
      timeoutMs: 90_000,
      intervalMs: 250,
      what: 'all 4,000 events stored after the restart',
    });
    await mesh.listener.waitUntilReady(30_000);
    // Copies as the logger reports them: redeliveries are duplicates, a second copy a write.
    expect((await loggerWritten(mesh)) - writtenBefore).toBe(4_000);
    await waitFor(async () => (await readyMessages(rabbit.url, LISTENER_QUEUE)) === 0, {
      timeoutMs: 15_000,
      what: 'nothing left in the listener queue',
    });
    expect(await readyMessages(rabbit.url, DEAD_LETTER_QUEUE)).toBe(0);
    // The same process carried on: it consumed again on a new connection.
    expect(mesh.listener.process.exitCode).toBeNull();
    expect(await metricValue(mesh.listener, 'listener_events_acked_total')).toBeGreaterThan(0);
  });
});
