/**
 * Every size bound of a log entry or event, in one place. Lengths are UTF-16 code units (what
 * JavaScript's `length` counts); byte bounds are UTF-8 bytes of the JSON text.
 */
export const LIMITS = {
  nameLength: 200,
  dataLength: 65_536,
  serviceLength: 64,
  /** Keys of the metadata object itself. */
  metadataKeys: 64,
  /** Keys and array elements at every depth of the metadata. */
  metadataMembers: 1_024,
  metadataKeyLength: 128,
  /** The metadata object is depth 1; each nested object or array adds one. */
  metadataDepth: 32,
  /** `JSON.stringify(metadata)` in UTF-8 bytes. */
  metadataBytes: 65_536,
} as const;
