export { loadConfig, ConfigError } from './config/load-config';
export { env, baseEnvShape } from './config/env-types';
export { availableCpus, cgroupCpuLimit, type CgroupPaths } from './config/available-cpus';
export { createLogger, type Logger, type LoggerSettings } from './logging/logger';
export { TurnBufferedDestination } from './logging/turn-buffered-destination';
export {
  runWithRequestContext,
  currentRequestId,
  propagationHeaders,
  acceptRequestId,
  REQUEST_ID_HEADER,
  type RequestContext,
} from './logging/request-context';
export { AppError, isAppError, type AppErrorOptions, type ErrorDetail } from './errors/app-error';
export { errorHandler, notFoundHandler, toAppError } from './errors/error-handler';
export { parseInput, zodDetails } from './errors/validation';
export { ok, fail, type Envelope } from './http/envelope';
export { sendJson } from './http/send-json';
export {
  createHttpServer,
  type HttpServer,
  type HttpServerOptions,
  type BoundAddress,
} from './http/create-http-server';
export { jsonBody, parseByteSize, jsonDepthExceeds, MAX_JSON_DEPTH } from './http/json-body';
export {
  Health,
  runCheck,
  type HealthCheck,
  type Readiness,
  type CheckResult,
  type CheckOptions,
} from './health/health';
export { createMetrics, type Metrics } from './metrics/metrics';
export { requestLifecycle } from './http/request-lifecycle';
export { Lifecycle, type Closer } from './lifecycle/lifecycle';
export {
  createServiceContext,
  type ServiceContext,
  type BaseConfig,
} from './lifecycle/service-context';
export { runMain, type RunningService } from './lifecycle/run-main';
export {
  shutdownBudgetProblem,
  SHUTDOWN_CLOSE_RESERVE_MS,
  type ShutdownTimes,
} from './lifecycle/shutdown-budget';
export {
  startHttpService,
  type StartHttpOptions,
  type StartedHttpService,
} from './lifecycle/start-http-service';
export { createPgPool, pgHealthCheck, type PgPoolOptions } from './db/pg-pool';
export { migrate, type Migration, type MigrateOptions } from './db/migrate';
export {
  pgErrorKind,
  isPgUnavailable,
  isPgDataRefusal,
  pgRefusalReason,
  type PgErrorKind,
} from './db/pg-errors';
export { openPostgres, type OpenPostgresOptions } from './lifecycle/open-postgres';
export { openAmqp, type OpenAmqpOptions, type OpenedAmqp } from './lifecycle/open-amqp';
export { settleWithin } from './amqp/settle-within';
export { senderPolicy, senderRefusal, type SenderPolicy } from './mail/sender-policy';
export * from './amqp/topology';
export {
  AmqpConnection,
  type AmqpConnectionOptions,
  type ChannelModel,
  type ConnectSetup,
  type DisconnectHandler,
} from './amqp/amqp-connection';
export { KeptConsumer, type KeptConsumerOptions } from './amqp/kept-consumer';
export {
  EventPublisher,
  PUBLISH_SEQ_HEADER,
  type EventPublisherOptions,
} from './amqp/event-publisher';
export { PublishError, isPublishError, type PublishFailure } from './amqp/publish-error';
export { eventMessage, type EventMessage } from './amqp/event-message';
export { copyPublishOptions } from './amqp/copy-message';
export { backoffDelay, type BackoffSettings } from './amqp/backoff';
export * from './tls/index';
export {
  SERVICE_PERMISSIONS,
  AMQP_SERVICES,
  provisionServiceUsers,
  applyQueuePolicies,
  removeServiceUsers,
  type AmqpService,
  type Permissions,
  type ProvisionOptions,
} from './amqp/service-users';
export { QUEUE_POLICIES, LISTENER_DELIVERY_LIMIT, type QueuePolicy } from './amqp/queue-policies';
export { startMetricsServer, type MetricsServer } from './http/metrics-server';
export { clientAddressKey } from './security/client-address';
export {
  currentTraceIds,
  withSpan,
  withConsumerBatchSpan,
  untraced,
  injectTraceHeaders,
  extractTraceContext,
  SpanKind,
  type SpanSettings,
} from './tracing/spans';
export { tracingStats, type TracingStats } from './tracing/tracing-stats';
export { CHECK_CONFIG_FLAG } from './config/config-check';
export {
  CoalescingBatcher,
  BatcherOverloadedError,
  type BatcherOptions,
  type SubmitOptions,
} from './batching/coalescing-batcher';
export {
  boundedQuery,
  type BoundedQueryOptions,
  type RunStatement,
  type Statement,
} from './db/bounded-query';
export { lowerThreadPoolPriority } from './lifecycle/thread-pool-priority';
