/**
 * Text from the mesh made safe for a terminal. Any `logs:write` caller chooses a log's name and
 * data, and the contract lets control characters through (it refuses only what the stores refuse),
 * so printed raw they would reach the terminal as commands: OSC 52 writes the clipboard, `\r` and
 * CSI sequences erase and forge lines, OSC 8 plants links, bidi overrides reorder what is shown.
 * Every such character is shown escaped instead (`\x1b`, `\u202e`): visible, never executed.
 *
 * Escaped: C0 controls (tab too, unless `keepTabs`; newline and carriage return always: one
 * entry is one line), DEL, C1 controls (U+0080–U+009F: 8-bit CSI/OSC on some terminals), the
 * bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E,
 * U+200F, U+061C), and the line and paragraph separators (U+2028, U+2029).
 */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNPRINTABLE_OR_TAB =
  // eslint-disable-next-line no-control-regex -- as above, with tab
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every character that could drive the terminal shown as an escape. */
export function printable(text: string, options: { keepTabs?: boolean } = {}): string {
  return text.replace(options.keepTabs ? UNPRINTABLE : UNPRINTABLE_OR_TAB, escape);
}
