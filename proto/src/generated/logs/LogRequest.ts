// Original file: logger.proto

import type { Log as _logs_Log, Log__Output as _logs_Log__Output } from '../logs/Log';

export interface LogRequest {
  'logEntry'?: (_logs_Log | null);
}

export interface LogRequest__Output {
  'logEntry': (_logs_Log__Output | null);
}
