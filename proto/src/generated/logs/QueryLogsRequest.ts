// Original file: logger.proto


export interface QueryLogsRequest {
  /**
   * Every filter is optional (empty = no filter); they combine with AND.
   */
  'service'?: (string);
  'level'?: (string);
  /**
   * Full-text search over name and data.
   */
  'text'?: (string);
  'trace_id'?: (string);
  /**
   * RFC 3339 bounds: from inclusive, to exclusive.
   */
  'from'?: (string);
  'to'?: (string);
  /**
   * 1..500; 0 = 50.
   */
  'limit'?: (number);
  /**
   * Opaque: next_cursor of the previous page; empty = first page.
   */
  'cursor'?: (string);
}

export interface QueryLogsRequest__Output {
  /**
   * Every filter is optional (empty = no filter); they combine with AND.
   */
  'service': (string);
  'level': (string);
  /**
   * Full-text search over name and data.
   */
  'text': (string);
  'trace_id': (string);
  /**
   * RFC 3339 bounds: from inclusive, to exclusive.
   */
  'from': (string);
  'to': (string);
  /**
   * 1..500; 0 = 50.
   */
  'limit': (number);
  /**
   * Opaque: next_cursor of the previous page; empty = first page.
   */
  'cursor': (string);
}
