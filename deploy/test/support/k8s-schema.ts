import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Doc } from './yaml-files';

const validator = path.join(__dirname, 'validate-k8s.mjs');

/**
 * Validates objects against the Kubernetes OpenAPI schemas offline (kubernetes-models, run by
 * Node in validate-k8s.mjs: the package is ES modules only); returns the problems, one per line.
 */
export function schemaErrors(docs: Doc[]): string[] {
  const out = execFileSync(process.execPath, [validator], {
    cwd: path.join(__dirname, '..', '..'),
    input: JSON.stringify(docs),
    encoding: 'utf8',
    maxBuffer: 32 << 20,
  });
  return JSON.parse(out) as string[];
}
