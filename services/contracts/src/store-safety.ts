import { LIMITS } from './limits';

/** One reason a value cannot be stored, and where it sits (relative to the value checked). */
export interface StoreSafetyIssue {
  path: (string | number)[];
  message: string;
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Most issues reported for one value; the walk stops there (bounded work on hostile input). */
const MAX_ISSUES = 20;

/**
 * Why a string cannot be stored, or undefined. PostgreSQL text and jsonb cannot hold U+0000, nor
 * can a MongoDB key; an unpaired UTF-16 surrogate has no UTF-8 form (jsonb refuses its escape,
 * text would silently store U+FFFD instead).
 */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters (\\u0000)';
  if (UNPAIRED_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return undefined;
}

/** Why a metadata key cannot be stored (MongoDB field-name rules plus the text rules). */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'metadata keys must not be empty';
  if (key.length > LIMITS.metadataKeyLength) {
    return `metadata keys are at most ${LIMITS.metadataKeyLength} characters`;
  }
  if (key.startsWith('$')) return 'metadata keys must not start with "$"';
  if (key.includes('.')) return 'metadata keys must not contain "."';
  const text = textProblem(key);
  return text && `metadata keys ${text}`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Everything in a metadata object that a store would refuse: strings and keys (see textProblem,
 * keyProblem), values that are not JSON (undefined, functions, non-finite numbers, class
 * instances), nesting deeper than LIMITS.metadataDepth, more than LIMITS.metadataMembers keys and
 * array elements in all, JSON text over LIMITS.metadataBytes. Paths are relative to the object.
 */
export function metadataIssues(metadata: Record<string, unknown>): StoreSafetyIssue[] {
  const issues: StoreSafetyIssue[] = [];
  let members = 0;
  const add = (path: (string | number)[], message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ path, message });
  };

  const walk = (value: unknown, path: (string | number)[], depth: number): void => {
    if (issues.length >= MAX_ISSUES) return;
    switch (typeof value) {
      case 'string': {
        const problem = textProblem(value);
        if (problem) add(path, problem);
        return;
      }
      case 'number':
        if (!Number.isFinite(value)) add(path, 'numbers must be finite');
        return;
      case 'boolean':
        return;
      case 'object':
        break;
      default:
        add(path, 'must be a JSON value (string, number, boolean, null, array or object)');
        return;
    }
    if (value === null) return;
    if (depth > LIMITS.metadataDepth) {
      add(path, `metadata is nested deeper than ${LIMITS.metadataDepth} levels`);
      return;
    }
    if (Array.isArray(value)) {
      members += value.length;
      if (members > LIMITS.metadataMembers) return;
      value.forEach((item, i) => walk(item, [...path, i], depth + 1));
      return;
    }
    if (!isPlainObject(value)) {
      add(path, 'must be a JSON value (string, number, boolean, null, array or object)');
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (++members > LIMITS.metadataMembers) return;
      const problem = keyProblem(key);
      if (problem) add([...path, key], problem);
      else walk(item, [...path, key], depth + 1);
    }
  };

  walk(metadata, [], 1);
  if (members > LIMITS.metadataMembers) {
    add([], `metadata holds more than ${LIMITS.metadataMembers} keys and array elements in all`);
  }
  if (issues.length === 0) {
    const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
    if (bytes > LIMITS.metadataBytes) {
      add([], `metadata is ${bytes} bytes as JSON; at most ${LIMITS.metadataBytes}`);
    }
  }
  return issues;
}
