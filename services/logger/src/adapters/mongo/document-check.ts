import { BSON } from 'mongodb';

/** MongoDB's limits for one stored document. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;
export const MAX_NESTING_DEPTH = 100;

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why MongoDB cannot hold this document, or undefined when it can. These are refusals that would
 * otherwise happen in the driver before anything is sent (a NUL in a key fails BSON
 * serialisation, and with it the whole batch), on the server only for some servers (nesting past
 * 100 levels: MongoDB refuses it, FerretDB stores it), or silently (an unpaired surrogate becomes
 * U+FFFD on the way to UTF-8). Checking each document first lets one bad entry be refused on its
 * own while the rest of its batch is written, and gives every server the same answer.
 */
export function whyUnstorable(document: object): string | undefined {
  const problem = walk(document, 1);
  if (problem) return problem;
  const bytes = BSON.calculateObjectSize(document as BSON.Document);
  if (bytes > MAX_DOCUMENT_BYTES) {
    return `entry is ${bytes} bytes as BSON; MongoDB stores at most ${MAX_DOCUMENT_BYTES}`;
  }
  return undefined;
}

function walk(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') {
    return !UNPAIRED_SURROGATE.test(value)
      ? undefined
      : 'a string holds an unpaired UTF-16 surrogate';
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return undefined;
  if (depth > MAX_NESTING_DEPTH) {
    return `entry nests deeper than MongoDB's ${MAX_NESTING_DEPTH} levels`;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = walk(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return `key ${JSON.stringify(key)} holds a NUL character`;
    if (UNPAIRED_SURROGATE.test(key)) return 'a key holds an unpaired UTF-16 surrogate';
    const problem = walk(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
