import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Log as _logs_Log, Log__Output as _logs_Log__Output } from './logs/Log';
import type { LogRequest as _logs_LogRequest, LogRequest__Output as _logs_LogRequest__Output } from './logs/LogRequest';
import type { LogResponse as _logs_LogResponse, LogResponse__Output as _logs_LogResponse__Output } from './logs/LogResponse';
import type { LogServiceClient as _logs_LogServiceClient, LogServiceDefinition as _logs_LogServiceDefinition } from './logs/LogService';
import type { QueryLogsRequest as _logs_QueryLogsRequest, QueryLogsRequest__Output as _logs_QueryLogsRequest__Output } from './logs/QueryLogsRequest';
import type { QueryLogsResponse as _logs_QueryLogsResponse, QueryLogsResponse__Output as _logs_QueryLogsResponse__Output } from './logs/QueryLogsResponse';
import type { WriteLogsRequest as _logs_WriteLogsRequest, WriteLogsRequest__Output as _logs_WriteLogsRequest__Output } from './logs/WriteLogsRequest';
import type { WriteLogsResponse as _logs_WriteLogsResponse, WriteLogsResponse__Output as _logs_WriteLogsResponse__Output } from './logs/WriteLogsResponse';
import type { WriteLogsResult as _logs_WriteLogsResult, WriteLogsResult__Output as _logs_WriteLogsResult__Output } from './logs/WriteLogsResult';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  logs: {
    Log: MessageTypeDefinition<_logs_Log, _logs_Log__Output>
    LogRequest: MessageTypeDefinition<_logs_LogRequest, _logs_LogRequest__Output>
    LogResponse: MessageTypeDefinition<_logs_LogResponse, _logs_LogResponse__Output>
    LogService: SubtypeConstructor<typeof grpc.Client, _logs_LogServiceClient> & { service: _logs_LogServiceDefinition }
    QueryLogsRequest: MessageTypeDefinition<_logs_QueryLogsRequest, _logs_QueryLogsRequest__Output>
    QueryLogsResponse: MessageTypeDefinition<_logs_QueryLogsResponse, _logs_QueryLogsResponse__Output>
    WriteLogsRequest: MessageTypeDefinition<_logs_WriteLogsRequest, _logs_WriteLogsRequest__Output>
    WriteLogsResponse: MessageTypeDefinition<_logs_WriteLogsResponse, _logs_WriteLogsResponse__Output>
    WriteLogsResult: MessageTypeDefinition<_logs_WriteLogsResult, _logs_WriteLogsResult__Output>
  }
}

