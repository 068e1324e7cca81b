import { DEAD_LETTER_QUEUE } from '@micromesh/kit';
import { waitFor } from '@micromesh/kit/testing';
import { anEvent } from './support/events';
import { startListenerMesh, type ListenerMesh } from './support/listener-mesh';

jest.setTimeout(120_000);

/** A logger whose gRPC receive limit an operator lowered far below the listener's 3 MiB batches. */
const LOGGER_LIMIT_BYTES = 256 * 1024;

describe('listener: batches larger than the logger takes', () => {
  let mesh: ListenerMesh;

  beforeAll(async () => {
    mesh = await startListenerMesh('listener-request-size', {
      loggerEnv: { GRPC_MAX_MESSAGE_BYTES: String(LOGGER_LIMIT_BYTES) },
    });
  });
  afterAll(() => mesh?.close());

  it('When a batch is over the logger’s gRPC message limit, then it is split until its parts fit and every event is stored, none dead-lettered', async () => {
    // Arrange: 40 events of 30 KB: about 1.2 MB together, each far under the limit.
    const events = Array.from({ length: 40 }, (_, i) =>
      anEvent({ data: `${i} ${'x'.repeat(30_000)}` }),
    );

    // Act
    await mesh.publisher.publishAll(events);

    // Assert: without the split the logger answers RESOURCE_EXHAUSTED for ever and nothing is stored.
    await waitFor(async () => (await mesh.logs.countsOf(events)).rows === events.length, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'every event stored',
    });
    expect(await mesh.logs.countsOf(events)).toEqual({ rows: 40, distinct: 40 });
    expect(await mesh.vhost!.queueDepth(DEAD_LETTER_QUEUE)).toBe(0);
  });
});
