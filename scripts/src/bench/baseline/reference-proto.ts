import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOGGER_PROTO_PATH } from '@micromesh/proto';

/** Just the reference contract: LogService.WriteLog(LogRequest{Log{name,data}}). */
export interface ReferenceLogService {
  service: grpc.ServiceDefinition;
  Client: grpc.ServiceClientConstructor;
}

export function loadReferenceLogService(): ReferenceLogService {
  const definition = protoLoader.loadSync(LOGGER_PROTO_PATH, {
    keepCase: true,
    longs: String,
    defaults: false,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    logs: { LogService: grpc.ServiceClientConstructor };
  };
  return { service: loaded.logs.LogService.service, Client: loaded.logs.LogService };
}
