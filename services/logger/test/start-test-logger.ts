import { captureLogs } from '@micromesh/kit/testing';
import {
  createHealthClient,
  createLogServiceClient,
  logServiceCalls,
  type HealthClient,
  type LogServiceCalls,
  type LogServiceClient,
} from '@micromesh/proto';
import { startLogger, type StartedLogger } from '../src/app';
import { loadLoggerConfig } from '../src/config';

export interface TestLogger {
  service: StartedLogger;
  client: LogServiceClient;
  calls: LogServiceCalls;
  health: HealthClient;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A real logger (HTTP + gRPC on free ports) on the given store, with a real gRPC client. */
export async function startTestLogger(
  storeUrl: string,
  env: Record<string, string> = {},
): Promise<TestLogger> {
  const { logger, lines } = captureLogs('logger', 'warn');
  const service = await startLogger(
    loadLoggerConfig({
      PORT: '0',
      GRPC_PORT: '0',
      LOG_STORE_URL: storeUrl,
      LOG_STORE_CHECK_INTERVAL_MS: '200',
      ...env,
    }),
    { logger },
  );
  const client = createLogServiceClient(service.grpcAddress);
  const health = createHealthClient(service.grpcAddress);
  return {
    service,
    client,
    calls: logServiceCalls(client),
    health,
    logs: lines,
    async stop() {
      client.close();
      health.close();
      await service.stop();
    },
  };
}
