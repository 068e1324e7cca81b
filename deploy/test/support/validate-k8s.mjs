// Validates Kubernetes objects offline with kubernetes-models (ES modules only, exported under the
// "import" condition alone, so Node loads it here rather than jest's CommonJS module system).
// stdin: a JSON array of objects; stdout: a JSON array of problems, one readable line each.
import { readFileSync } from 'node:fs';

/**
 * kustomize wraps long base64 Secret values over several lines; the API server's base64 decoder
 * skips line breaks, kubernetes-models' "byte" format does not — so compare like the server does.
 */
function withUnwrappedSecretData(doc) {
  if (doc.kind !== 'Secret' || typeof doc.data !== 'object' || doc.data === null) return doc;
  const data = Object.fromEntries(
    Object.entries(doc.data).map(([key, value]) => [key, String(value).replace(/\s+/g, '')]),
  );
  return { ...doc, data };
}

async function schemaErrors(doc) {
  const { apiVersion, kind } = doc;
  const name = `${String(kind)} ${String(doc.metadata?.name)}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${name}: apiVersion and kind are required`];
  }
  let Model;
  try {
    // "v1" → kubernetes-models/v1, "apps/v1" → kubernetes-models/apps/v1
    Model = (await import(`kubernetes-models/${apiVersion}`))[kind];
  } catch {
    return [`${name}: unknown apiVersion ${apiVersion}`];
  }
  if (!Model) return [`${name}: unknown kind ${kind} in ${apiVersion}`];
  try {
    new Model(withUnwrappedSecretData(doc)).validate();
    return [];
  } catch (error) {
    return [`${name}: ${error.message}`];
  }
}

const docs = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];
for (const doc of docs) problems.push(...(await schemaErrors(doc)));
process.stdout.write(JSON.stringify(problems));
