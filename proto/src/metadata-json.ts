/**
 * `Log.metadata` travels as JSON object text (values may be any JSON, which a
 * map<string,string> could not carry). These keep producers and the logger spelling it one way.
 */
export function encodeMetadata(metadata: Record<string, unknown> | undefined): string {
  return metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : '';
}

/** Parses `Log.metadata`; empty → undefined; anything but a JSON object → a thrown TypeError. */
export function decodeMetadata(text: string): Record<string, unknown> | undefined {
  if (text === '') return undefined;
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('metadata must be a JSON object');
  }
  return value as Record<string, unknown>;
}
