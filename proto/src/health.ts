import * as grpc from '@grpc/grpc-js';
import {
  HealthImplementation,
  service as healthServiceDefinition,
  type ServingStatus,
} from 'grpc-health-check';
import type { HealthCheckResponse__Output } from 'grpc-health-check/build/src/generated/grpc/health/v1/HealthCheckResponse';
import { callUnary } from './call-unary';

export type { ServingStatus };

/** The part of the `grpc.health.v1.Health` client used here (grpc-health-check ships no client type). */
export interface HealthClient extends grpc.Client {
  Check(
    request: { service: string },
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<HealthCheckResponse__Output>,
  ): grpc.ClientUnaryCall;
}

/** The fully-qualified name health checks ask about (`grpc_health_probe -service=…`). */
export const LOG_SERVICE_NAME = 'logs.LogService';

export interface GrpcHealth {
  /** Sets the status of the whole server ('') and of every named service together. */
  setServing(serving: boolean): void;
  addToServer(server: grpc.Server): void;
  readonly implementation: HealthImplementation;
}

/**
 * The standard `grpc.health.v1.Health` service (Check + Watch), answering for the server as a
 * whole ('') and for each named service. Starts NOT_SERVING until the owner says otherwise.
 */
export function createGrpcHealth(serviceNames: readonly string[] = [LOG_SERVICE_NAME]): GrpcHealth {
  const names = ['', ...serviceNames];
  const implementation = new HealthImplementation(
    Object.fromEntries(names.map((n) => [n, 'NOT_SERVING' satisfies ServingStatus])),
  );
  return {
    implementation,
    setServing(serving) {
      for (const name of names) implementation.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    addToServer(server) {
      implementation.addToServer(server);
    },
  };
}

/** A `grpc.health.v1.Health` client (for probes, the broker's readiness, tests). */
export function createHealthClient(
  address: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): HealthClient {
  const Client = grpc.makeGenericClientConstructor(healthServiceDefinition, 'Health');
  // The generic constructor is untyped; HealthClient describes the methods it creates.
  return new Client(address, credentials) as unknown as HealthClient;
}

/** One `Check` call: resolves with 'SERVING' / 'NOT_SERVING' / …, rejects on a gRPC error. */
export async function checkHealth(
  client: HealthClient,
  service: string,
  timeoutMs: number,
): Promise<HealthCheckResponse__Output['status']> {
  const response = await callUnary<HealthCheckResponse__Output>(
    (md, opts, cb) => client.Check({ service }, md, opts, cb),
    { timeoutMs },
  );
  return response.status;
}
