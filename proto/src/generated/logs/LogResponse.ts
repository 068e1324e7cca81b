// Original file: logger.proto


export interface LogResponse {
  /**
   * "logged" (reference), or "duplicate" when event_id was already stored.
   */
  'result'?: (string);
  /**
   * The stored entry's event_id (the assigned one when the request had none).
   */
  'event_id'?: (string);
}

export interface LogResponse__Output {
  /**
   * "logged" (reference), or "duplicate" when event_id was already stored.
   */
  'result': (string);
  /**
   * The stored entry's event_id (the assigned one when the request had none).
   */
  'event_id': (string);
}
