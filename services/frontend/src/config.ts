import path from 'node:path';
import { baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

/** Where `pnpm run bundle` writes the web app; resolves the same from src/ (tests) and dist/. */
export const DEFAULT_STATIC_DIR = path.resolve(__dirname, '..', 'dist', 'public');

export const frontendConfigSchema = z.object({
  ...baseEnvShape,
  PORT: env.port(8081),
  /**
   * The broker the browser talks to. Served at runtime as /config.json (and put in the CSP's
   * connect-src), so one bundle works behind any address.
   */
  BROKER_URL: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:8080')
    // Kept with its path (a broker behind an ingress prefix), without a trailing slash.
    .transform((u) => u.replace(/\/+$/, '')),
  STATIC_DIR: z.string().min(1).default(DEFAULT_STATIC_DIR),
});

export type FrontendConfig = z.infer<typeof frontendConfigSchema>;

export function loadFrontendConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(frontendConfigSchema, source);
}
