// Original file: logger.proto

import type { Log as _logs_Log, Log__Output as _logs_Log__Output } from '../logs/Log';

export interface WriteLogsRequest {
  'entries'?: (_logs_Log)[];
}

export interface WriteLogsRequest__Output {
  'entries': (_logs_Log__Output)[];
}
