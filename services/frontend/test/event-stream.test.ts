import { readEventStream, type StreamEvent } from '../web/src/event-stream';

/** A body that arrives in the given pieces, as a slow network would deliver it. */
function bodyOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function eventsFrom(...chunks: string[]): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  await readEventStream(bodyOf(...chunks), (e) => events.push(e));
  return events;
}

describe('live tail stream parsing (web/src/event-stream.ts)', () => {
  it('When an event is split across network chunks, then it is delivered once, whole', async () => {
    const events = await eventsFrom('event: log\nid: 4', '2\ndata: {"name":', '"x"}\n', '\n');

    expect(events).toEqual([{ event: 'log', id: '42', data: '{"name":"x"}' }]);
  });

  it('When the stream has heartbeats, CRLF line ends and multi-line data, then only real events come out', async () => {
    const events = await eventsFrom(
      ': ping\r\n\r\n',
      'retry: 3000\r\nevent: ready\r\ndata: {}\r\n\r\n',
      'data: line one\r\ndata: line two\r\n\r\n',
    );

    expect(events).toEqual([
      { event: 'ready', data: '{}', id: undefined },
      { event: 'message', data: 'line one\nline two', id: undefined },
    ]);
  });

  it('When the stream ends in the middle of an event, then the partial event is not delivered', async () => {
    const events = await eventsFrom(
      'event: log\ndata: {"complete":true}\n\n',
      'event: log\ndata: {"cut',
    );

    expect(events).toEqual([{ event: 'log', data: '{"complete":true}', id: undefined }]);
  });
});
