/**
 * The text search of GET /logs, the same on every store and in the live tail: the logger itself
 * splits an entry's `name` and `data` into terms when it writes it, and a query into terms when it
 * searches, so PostgreSQL and MongoDB compare the same strings (neither store's own tokeniser,
 * stemmer or accent rules are involved).
 *
 * - Case-insensitive and accent-folded: `Café`, `CAFE` and `cafe` are one term (NFKD, marks dropped,
 *   lower-cased).
 * - Whole words: a word is a run of letters and digits; `ali` does not find `alice`.
 * - Identifiers stay whole as well: words joined by `_ . - : / @` (`card_declined`,
 *   `api.example.com`, `alice@example.com`, `10.0.0.1`) form one compound term, and each of their
 *   words is a term too. So `card_declined` finds the identifier (not "card declined"), while
 *   `declined` finds both.
 * - Every query term is required (AND). No phrases, no operators: quotes and other punctuation are
 *   separators.
 * - Terms are compared on their first MAX_TERM_LENGTH characters (index entries stay small).
 */
export const MAX_TERM_LENGTH = 64;

const WORD = /[\p{L}\p{N}]+/u;
const COMPOUND = new RegExp(`${WORD.source}(?:[_.\\-:/@]${WORD.source})*`, 'gu');
const MARKS = /\p{M}+/gu;

function fold(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

const clip = (term: string) => term.slice(0, MAX_TERM_LENGTH);

/** What an entry is found by: every compound and every word of `name` and `data`, deduplicated. */
export function indexTerms(name: string, data: string): string[] {
  const terms = new Set<string>();
  for (const compound of fold(`${name} ${data}`).match(COMPOUND) ?? []) {
    terms.add(clip(compound));
    const words = compound.match(new RegExp(WORD.source, 'gu')) ?? [];
    if (words.length > 1) for (const word of words) terms.add(clip(word));
  }
  return [...terms];
}

/** The terms a query requires: each compound whole (its words are not required separately). */
export function queryTerms(text: string): string[] {
  return [...new Set((fold(text).match(COMPOUND) ?? []).map(clip))];
}

/** The in-process form of the store's search (the live tail uses it). */
export function matchesText(name: string, data: string, text: string): boolean {
  const wanted = queryTerms(text);
  if (wanted.length === 0) return true;
  const have = new Set(indexTerms(name, data));
  return wanted.every((term) => have.has(term));
}
