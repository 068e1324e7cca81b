export { LOGGER_PROTO_PATH, LOADER_OPTIONS, loadLoggerPackage } from './load-logger-package';
export {
  createLogServiceClient,
  DEFAULT_MAX_MESSAGE_BYTES,
  ROUND_ROBIN_SERVICE_CONFIG,
  type LogServiceClientOptions,
} from './log-service-client';
export { logServiceCalls, type LogServiceCalls } from './log-service-calls';
export { callUnary, isGrpcError, type GrpcError, type UnaryCallOptions } from './call-unary';
export {
  addLogService,
  bindGrpcServer,
  createGrpcServer,
  stopGrpcServer,
  type GrpcServerOptions,
} from './log-service-server';
export {
  createGrpcHealth,
  checkHealth,
  createHealthClient,
  LOG_SERVICE_NAME,
  type GrpcHealth,
  type HealthClient,
  type ServingStatus,
} from './health';
export { encodeMetadata, decodeMetadata } from './metadata-json';
export { toLogMessage, type LogMessageSource } from './log-mapping';
export {
  grpcServerCredentials,
  grpcChannelCredentials,
  grpcPeerIdentity,
  allowPeers,
  type GrpcTlsFiles,
} from './tls-credentials';

export type { ProtoGrpcType } from './generated/logger';
export type { Log, Log__Output } from './generated/logs/Log';
export type { LogRequest, LogRequest__Output } from './generated/logs/LogRequest';
export type { LogResponse, LogResponse__Output } from './generated/logs/LogResponse';
export type { WriteLogsRequest, WriteLogsRequest__Output } from './generated/logs/WriteLogsRequest';
export type {
  WriteLogsResponse,
  WriteLogsResponse__Output,
} from './generated/logs/WriteLogsResponse';
export type { WriteLogsResult, WriteLogsResult__Output } from './generated/logs/WriteLogsResult';
export type { QueryLogsRequest, QueryLogsRequest__Output } from './generated/logs/QueryLogsRequest';
export type {
  QueryLogsResponse,
  QueryLogsResponse__Output,
} from './generated/logs/QueryLogsResponse';
export type {
  LogServiceClient,
  LogServiceHandlers,
  LogServiceDefinition,
} from './generated/logs/LogService';
export { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
export {
  addTraceService,
  decodeExportRequest,
  encodeExportResponse,
  otlpSpans,
  OtlpDecodeError,
  OTLP_PROTO_ROOT,
  type OtlpSpan,
  type OtlpExportOutcome,
  type OtlpExportHandler,
} from './otlp-traces';
