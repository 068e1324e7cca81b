// Original file: logger.proto

import type { WriteLogsResult as _logs_WriteLogsResult, WriteLogsResult__Output as _logs_WriteLogsResult__Output } from '../logs/WriteLogsResult';

export interface WriteLogsResponse {
  /**
   * Entries newly stored by this call.
   */
  'written'?: (number);
  /**
   * Entries whose event_id was already stored (a redelivery): not stored again, not an error.
   */
  'duplicates'?: (number);
  /**
   * Entries refused on their own: they fail the contract, or the store cannot hold them. The other
   * entries of the call are stored regardless; resending a refused entry cannot succeed.
   */
  'rejected'?: (number);
  /**
   * One per request entry, in request order (written + duplicates + rejected = entries).
   */
  'results'?: (_logs_WriteLogsResult)[];
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
  /**
   * Entries refused on their own: they fail the contract, or the store cannot hold them. The other
   * entries of the call are stored regardless; resending a refused entry cannot succeed.
   */
  'rejected': (number);
  /**
   * One per request entry, in request order (written + duplicates + rejected = entries).
   */
  'results': (_logs_WriteLogsResult__Output)[];
}
