import { decodeMetadata, toLogMessage } from '@micromesh/proto';

const entry = {
  name: 'login',
  data: 'user signed in',
  level: 'INFO',
  service: 'auth',
  event_id: '0b6f7c1e-3a52-4c8e-9a55-2f1d1c9e8a10',
  timestamp: '2026-11-22T03:40:17.123Z',
};

describe('an entry → the proto Log', () => {
  it('When an event has every field, then each lands in its Log field and the metadata travels as JSON text', () => {
    const metadata = { user: 'a@b.c', attempt: 2 };

    const log = toLogMessage({
      ...entry,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      metadata,
    });

    expect(log).toEqual({
      ...entry,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      metadata: JSON.stringify(metadata),
    });
    expect(decodeMetadata(log.metadata ?? '')).toEqual(metadata);
  });

  it('When the optional fields are absent, then they are empty strings (proto3 has no absence)', () => {
    expect(toLogMessage(entry)).toMatchObject({ trace_id: '', span_id: '', metadata: '' });
  });

  it('When the timestamp is a Date (a stored entry), then it is sent as RFC 3339 text', () => {
    const log = toLogMessage({ ...entry, timestamp: new Date('2026-11-22T03:40:17.123Z') });

    expect(log.timestamp).toBe('2026-11-22T03:40:17.123Z');
  });
});
