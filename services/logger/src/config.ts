import { baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

export const loggerConfigSchema = z.object({
  ...baseEnvShape,
  PORT: env.port(8083),
  GRPC_PORT: env.port(50051),
  /** postgres://… (native default) or mongodb://… (compose, k8s). */
  LOG_STORE_URL: z.url(),
});

export type LoggerConfig = z.infer<typeof loggerConfigSchema>;

export function loadLoggerConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(loggerConfigSchema, source);
}
