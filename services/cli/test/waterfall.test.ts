import { treeOrder, waterfall, type Span } from '../src/waterfall';
import { sinceToIso } from '../src/duration';

const span = (
  id: string,
  parent: string | null,
  service: string,
  startMs: number,
  ms: number,
): Span => ({
  span_id: id,
  parent_span_id: parent,
  service,
  name: `${service} op`,
  start: new Date(1_700_000_000_000 + startMs).toISOString(),
  duration_ms: ms,
});

describe('trace waterfall', () => {
  it('When spans arrive in any order, then each is drawn after its parent, children by start time', () => {
    const spans = [
      span('c2', 'b', 'pg', 30, 5),
      span('b', 'a', 'logger', 10, 40),
      span('a', null, 'broker', 0, 60),
      span('c1', 'b', 'pg', 15, 5),
    ];
    expect(treeOrder(spans).map((r) => `${r.depth}:${r.span.span_id}`)).toEqual([
      '0:a',
      '1:b',
      '2:c1',
      '2:c2',
    ]);
  });

  it('When a span lies in the second half of the trace, then its bar starts in the second half', () => {
    const lines = waterfall(
      [span('a', null, 'broker', 0, 100), span('b', 'a', 'logger', 60, 40)],
      20,
    );
    const bar = (line: string) => line.split('│')[1] ?? '';
    expect(bar(lines[0] ?? '').trimEnd()).toBe('█'.repeat(20));
    expect(bar(lines[1] ?? '').indexOf('█')).toBe(12);
  });
});

describe('--since', () => {
  it('When given 15m, then it means fifteen minutes before now; an ISO date passes through; junk is a usage error', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(sinceToIso('15m', now)).toBe('2026-11-30T11:45:00.000Z');
    expect(sinceToIso('2026-11-01T00:00:00Z', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(() => sinceToIso('yesterday-ish', now)).toThrow(/not a time/);
  });
});
