// Original file: logger.proto

import type { Log as _logs_Log, Log__Output as _logs_Log__Output } from '../logs/Log';

export interface QueryLogsResponse {
  /**
   * Newest first (timestamp desc, event_id desc as the tie-break).
   */
  'entries'?: (_logs_Log)[];
  /**
   * Empty when there is no further page.
   */
  'next_cursor'?: (string);
}

export interface QueryLogsResponse__Output {
  /**
   * Newest first (timestamp desc, event_id desc as the tie-break).
   */
  'entries': (_logs_Log__Output)[];
  /**
   * Empty when there is no further page.
   */
  'next_cursor': (string);
}
