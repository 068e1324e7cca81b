// Original file: logger.proto


export interface WriteLogsResult {
  /**
   * The entry's event_id (the assigned one when it had none; as sent, possibly empty, when refused).
   */
  'event_id'?: (string);
  /**
   * "written" | "duplicate" | "rejected".
   */
  'outcome'?: (string);
  /**
   * Why a rejected entry was refused (field path and rule, or the store's reason); else empty.
   */
  'reason'?: (string);
}

export interface WriteLogsResult__Output {
  /**
   * The entry's event_id (the assigned one when it had none; as sent, possibly empty, when refused).
   */
  'event_id': (string);
  /**
   * "written" | "duplicate" | "rejected".
   */
  'outcome': (string);
  /**
   * Why a rejected entry was refused (field path and rule, or the store's reason); else empty.
   */
  'reason': (string);
}
