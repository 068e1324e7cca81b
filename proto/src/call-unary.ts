import * as grpc from '@grpc/grpc-js';

export interface UnaryCallOptions {
  /** Deadline relative to now. Every call should have one; there is no default on purpose. */
  timeoutMs: number;
  /** Request metadata, e.g. `x-request-id` for log correlation. */
  metadata?: grpc.Metadata | Record<string, string>;
}

/** A gRPC failure with its status code (`grpc.status.UNAVAILABLE`, …) and details. */
export type GrpcError = grpc.ServiceError;

export function isGrpcError(error: unknown): error is GrpcError {
  return error instanceof Error && typeof (error as Partial<GrpcError>).code === 'number';
}

/**
 * Runs one unary call as a promise with a deadline:
 * `await callUnary<LogResponse__Output>((md, opts, cb) => client.WriteLog({ logEntry }, md, opts, cb),
 * { timeoutMs: 2000 })`. Name the response type: TypeScript cannot infer it through the generated
 * overloads. `logServiceCalls(client)` wraps the three LogService methods this way.
 */
export function callUnary<Res>(
  start: (
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<Res>,
  ) => grpc.ClientUnaryCall,
  options: UnaryCallOptions,
): Promise<Res> {
  const metadata = toMetadata(options.metadata);
  return new Promise<Res>((resolve, reject) => {
    start(metadata, { deadline: Date.now() + options.timeoutMs }, (error, response) => {
      if (error) reject(error);
      // A unary call without an error always carries a response.
      else resolve(response as Res);
    });
  });
}

function toMetadata(input: UnaryCallOptions['metadata']): grpc.Metadata {
  if (input instanceof grpc.Metadata) return input;
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(input ?? {})) metadata.set(key, value);
  return metadata;
}
