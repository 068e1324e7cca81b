import { certManagerErrors, isCertManager } from './cert-manager-schema';
import type { Doc } from './yaml-files';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: Doc) => Validatable;

/** kubernetes-models' module for an apiVersion: "v1" → kubernetes-models/v1, "apps/v1" → …/apps/v1. */
function modelModule(apiVersion: string): Record<string, unknown> {
  // A dynamic require: which group/version a manifest needs is only known at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`kubernetes-models/${apiVersion}`) as Record<string, unknown>;
}

/**
 * kustomize wraps long base64 Secret values over several lines; the API server's base64 decoder
 * skips line breaks, kubernetes-models' "byte" format does not — so compare like the server does.
 */
function withUnwrappedSecretData(doc: Doc): Doc {
  if (doc.kind !== 'Secret' || typeof doc.data !== 'object' || doc.data === null) return doc;
  const data = Object.fromEntries(
    Object.entries(doc.data).map(([key, value]) => [key, String(value).replace(/\s+/g, '')]),
  );
  return { ...doc, data };
}

/** Validates one object against the Kubernetes OpenAPI schema offline; returns the problems. */
export function schemaErrors(doc: Doc): string[] {
  const { apiVersion, kind } = doc;
  const name = `${String(kind)} ${String((doc.metadata as Doc | undefined)?.name)}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${name}: apiVersion and kind are required`];
  }
  if (isCertManager(doc)) return certManagerErrors(doc);
  let Model: ModelClass | undefined;
  try {
    Model = modelModule(apiVersion)[kind] as ModelClass | undefined;
  } catch {
    return [`${name}: unknown apiVersion ${apiVersion}`];
  }
  if (!Model) return [`${name}: unknown kind ${kind} in ${apiVersion}`];
  try {
    new Model(withUnwrappedSecretData(doc)).validate();
    return [];
  } catch (error) {
    return [`${name}: ${(error as Error).message}`];
  }
}
