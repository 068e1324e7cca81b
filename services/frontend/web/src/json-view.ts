import { h } from './dom';

// One pass over pretty-printed JSON: strings (keys when followed by a colon), literals, numbers.
const TOKEN =
  /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** Renders a value as indented, colour-coded JSON inside a <code> element. */
export function jsonView(value: unknown): HTMLElement {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const code = h('code', { class: 'json' });
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    if (index > last) code.append(text.slice(last, index));
    const [token, str, colon, literal] = match;
    if (str !== undefined && colon !== undefined) {
      code.append(h('span', { class: 'j-key' }, str), colon);
    } else if (str !== undefined) {
      code.append(h('span', { class: 'j-str' }, str));
    } else if (literal !== undefined) {
      code.append(h('span', { class: literal === 'null' ? 'j-null' : 'j-bool' }, literal));
    } else {
      code.append(h('span', { class: 'j-num' }, token));
    }
    last = index + token.length;
  }
  if (last < text.length) code.append(text.slice(last));
  return code;
}
