import { baseEnvShape, env, loadConfig } from '@micromesh/kit';
import { z } from 'zod';

export const mailConfigSchema = z.object({
  ...baseEnvShape,
  PORT: env.port(8084),
});

export type MailConfig = z.infer<typeof mailConfigSchema>;

export function loadMailConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(mailConfigSchema, source);
}
