export { LEVELS, levelSchema, routingKeyFor, type Level } from './levels';
export { normalizeLevelName, levelNamed } from './level-names';
export { LIMITS } from './limits';
export { textProblem, keyProblem, metadataIssues, type StoreSafetyIssue } from './store-safety';
export {
  storeSafeString,
  traceIdSchema,
  spanIdSchema,
  nameSchema,
  dataSchema,
  serviceSchema,
  metadataSchema,
  eventIdSchema,
  timestampSchema,
} from './fields';
export { logEntryInputSchema, type LogEntryInput, type ValidLogEntryInput } from './log-entry';
export { eventSchema, createEvent, traceparentFor, type LogEvent, type NewEvent } from './event';
export { describeIssues } from './issues';
export {
  SCOPES,
  ROLES,
  ROLE_SCOPES,
  isScope,
  scopesOfRole,
  formatScopes,
  parseScopes,
  intersectScopes,
  type Scope,
  type Role,
} from './scopes';
export {
  REVOCATIONS_EXCHANGE,
  REVOCATIONS_EXCHANGE_TYPE,
  revocationNoticeSchema,
  type RevocationNotice,
  type UserRevocation,
  type KeyRevocation,
} from './revocation-notice';
export {
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  type DeadLetter,
  type DeadLetterPage,
} from './dead-letter';
export {
  HANDLE_ACTIONS,
  ACTION_ACCESS,
  ACCESS_RULES,
  type HandleAction,
  type Access,
  type AccessRule,
} from './access';
export {
  IDEMPOTENCY_KEY_HEADER,
  INVALID_IDEMPOTENCY_KEY,
  idempotencyKeySchema,
  idempotencyKeyHeaderSchema,
} from './idempotency-key';
export { addressProblem, plainAddress } from './mail-address';
export { MAIL_LIMITS, mailRequestSchema, type MailRequest } from './mail-request';
export { PRINCIPAL_HEADER, QUOTA_OWNER_HEADER } from './mail-principal';
