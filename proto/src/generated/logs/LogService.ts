// Original file: logger.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { LogRequest as _logs_LogRequest, LogRequest__Output as _logs_LogRequest__Output } from '../logs/LogRequest';
import type { LogResponse as _logs_LogResponse, LogResponse__Output as _logs_LogResponse__Output } from '../logs/LogResponse';
import type { QueryLogsRequest as _logs_QueryLogsRequest, QueryLogsRequest__Output as _logs_QueryLogsRequest__Output } from '../logs/QueryLogsRequest';
import type { QueryLogsResponse as _logs_QueryLogsResponse, QueryLogsResponse__Output as _logs_QueryLogsResponse__Output } from '../logs/QueryLogsResponse';
import type { WriteLogsRequest as _logs_WriteLogsRequest, WriteLogsRequest__Output as _logs_WriteLogsRequest__Output } from '../logs/WriteLogsRequest';
import type { WriteLogsResponse as _logs_WriteLogsResponse, WriteLogsResponse__Output as _logs_WriteLogsResponse__Output } from '../logs/WriteLogsResponse';

export interface LogServiceClient extends grpc.Client {
  QueryLogs(argument: _logs_QueryLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  QueryLogs(argument: _logs_QueryLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  QueryLogs(argument: _logs_QueryLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  QueryLogs(argument: _logs_QueryLogsRequest, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  queryLogs(argument: _logs_QueryLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  queryLogs(argument: _logs_QueryLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  queryLogs(argument: _logs_QueryLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  queryLogs(argument: _logs_QueryLogsRequest, callback: grpc.requestCallback<_logs_QueryLogsResponse__Output>): grpc.ClientUnaryCall;
  
  WriteLog(argument: _logs_LogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  WriteLog(argument: _logs_LogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  WriteLog(argument: _logs_LogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  WriteLog(argument: _logs_LogRequest, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  writeLog(argument: _logs_LogRequest, callback: grpc.requestCallback<_logs_LogResponse__Output>): grpc.ClientUnaryCall;
  
  WriteLogs(argument: _logs_WriteLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  WriteLogs(argument: _logs_WriteLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  WriteLogs(argument: _logs_WriteLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  WriteLogs(argument: _logs_WriteLogsRequest, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  writeLogs(argument: _logs_WriteLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  writeLogs(argument: _logs_WriteLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  writeLogs(argument: _logs_WriteLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  writeLogs(argument: _logs_WriteLogsRequest, callback: grpc.requestCallback<_logs_WriteLogsResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface LogServiceHandlers extends grpc.UntypedServiceImplementation {
  QueryLogs: grpc.handleUnaryCall<_logs_QueryLogsRequest__Output, _logs_QueryLogsResponse>;
  
  WriteLog: grpc.handleUnaryCall<_logs_LogRequest__Output, _logs_LogResponse>;
  
  WriteLogs: grpc.handleUnaryCall<_logs_WriteLogsRequest__Output, _logs_WriteLogsResponse>;
  
}

export interface LogServiceDefinition extends grpc.ServiceDefinition {
  QueryLogs: MethodDefinition<_logs_QueryLogsRequest, _logs_QueryLogsResponse, _logs_QueryLogsRequest__Output, _logs_QueryLogsResponse__Output>
  WriteLog: MethodDefinition<_logs_LogRequest, _logs_LogResponse, _logs_LogRequest__Output, _logs_LogResponse__Output>
  WriteLogs: MethodDefinition<_logs_WriteLogsRequest, _logs_WriteLogsResponse, _logs_WriteLogsRequest__Output, _logs_WriteLogsResponse__Output>
}
