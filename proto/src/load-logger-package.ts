import * as grpc from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import path from 'node:path';
import type { ProtoGrpcType } from './generated/logger';

/** Absolute path of logger.proto, shipped beside dist/ in this package. */
export const LOGGER_PROTO_PATH = path.join(__dirname, '..', 'logger.proto');

/**
 * The loader options the generated types were made for (scripts/generate-types.cjs passes the
 * same flags): field names as written in the .proto (`logEntry`, `event_id`), every field filled
 * with its default, 64-bit ints and enums as strings.
 */
export const LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

let cached: ProtoGrpcType | undefined;

/** Loads logger.proto once per process and returns the typed package tree (`pkg.logs.…`). */
export function loadLoggerPackage(): ProtoGrpcType {
  if (!cached) {
    const definition = loadSync(LOGGER_PROTO_PATH, { ...LOADER_OPTIONS });
    // loadPackageDefinition returns an untyped tree; the generated ProtoGrpcType describes it.
    cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached;
}
