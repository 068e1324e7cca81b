// Original file: logger.proto


export interface Log {
  'name'?: (string);
  'data'?: (string);
  /**
   * DEBUG | INFO | WARNING | ERROR | FATAL (case-insensitive, WARN accepted); empty = INFO.
   */
  'level'?: (string);
  /**
   * The producing service; empty = "unknown".
   */
  'service'?: (string);
  /**
   * UUID that makes the write idempotent; empty = the logger assigns one.
   */
  'event_id'?: (string);
  /**
   * W3C trace-context ids, lower-case hex (32 and 16 characters).
   */
  'trace_id'?: (string);
  'span_id'?: (string);
  /**
   * JSON object text, e.g. "{\"user\":\"a@b.c\",\"attempt\":2}"; empty = no metadata.
   */
  'metadata'?: (string);
  /**
   * RFC 3339; empty = the time the logger received it.
   */
  'timestamp'?: (string);
}

export interface Log__Output {
  'name': (string);
  'data': (string);
  /**
   * DEBUG | INFO | WARNING | ERROR | FATAL (case-insensitive, WARN accepted); empty = INFO.
   */
  'level': (string);
  /**
   * The producing service; empty = "unknown".
   */
  'service': (string);
  /**
   * UUID that makes the write idempotent; empty = the logger assigns one.
   */
  'event_id': (string);
  /**
   * W3C trace-context ids, lower-case hex (32 and 16 characters).
   */
  'trace_id': (string);
  'span_id': (string);
  /**
   * JSON object text, e.g. "{\"user\":\"a@b.c\",\"attempt\":2}"; empty = no metadata.
   */
  'metadata': (string);
  /**
   * RFC 3339; empty = the time the logger received it.
   */
  'timestamp': (string);
}
