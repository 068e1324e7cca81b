// Original file: logger.proto


export interface WriteLogsResponse {
  /**
   * Entries newly stored by this call.
   */
  'written'?: (number);
  /**
   * Entries whose event_id was already stored (a redelivery): not stored again, not an error.
   */
  'duplicates'?: (number);
}

export interface WriteLogsResponse__Output {
  /**
   * Entries newly stored by this call.
   */
  'written': (number);
  /**
   * Entries whose event_id was already stored (a redelivery): not stored again, not an error.
   */
  'duplicates': (number);
}
