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

/**
 * The operators' custom resources (kubernetes-models has no schemas for them): the fields this
 * repository relies on, checked by hand. A kind not listed here is reported as unknown.
 */
const CUSTOM_RESOURCES = {
  'postgresql.cnpg.io/v1': {
    Cluster: (spec) => [
      Number.isInteger(spec.instances) || 'spec.instances must be an integer',
      typeof spec.imageName === 'string' || 'spec.imageName must be a string',
      typeof spec.storage?.size === 'string' || 'spec.storage.size must be a string',
    ],
    Database: (spec) => [
      typeof spec.cluster?.name === 'string' || 'spec.cluster.name must be a string',
      typeof spec.name === 'string' || 'spec.name must be a string',
      typeof spec.owner === 'string' || 'spec.owner must be a string',
    ],
  },
  'rabbitmq.com/v1beta1': {
    RabbitmqCluster: (spec) => [
      Number.isInteger(spec.replicas) || 'spec.replicas must be an integer',
      typeof spec.image === 'string' || 'spec.image must be a string',
    ],
    // The Messaging Topology Operator's Policy.
    Policy: (spec) => [
      typeof spec.name === 'string' || 'spec.name must be a string',
      typeof spec.vhost === 'string' || 'spec.vhost must be a string',
      typeof spec.pattern === 'string' || 'spec.pattern must be a string',
      ['queues', 'exchanges', 'all', 'quorum_queues', 'classic_queues', 'streams'].includes(
        spec.applyTo,
      ) ||
        'spec.applyTo must be one of queues, exchanges, all, quorum_queues, classic_queues, streams',
      typeof spec.definition === 'object' || 'spec.definition must be an object',
      typeof spec.rabbitmqClusterReference?.name === 'string' ||
        'spec.rabbitmqClusterReference.name must be a string',
    ],
  },
  'mongodbcommunity.mongodb.com/v1': {
    MongoDBCommunity: (spec) => [
      Number.isInteger(spec.members) || 'spec.members must be an integer',
      spec.type === 'ReplicaSet' || 'spec.type must be ReplicaSet',
      typeof spec.version === 'string' || 'spec.version must be a string',
      Array.isArray(spec.users) || 'spec.users must be a list',
    ],
  },
};

async function schemaErrors(doc) {
  const { apiVersion, kind } = doc;
  const name = `${String(kind)} ${String(doc.metadata?.name)}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${name}: apiVersion and kind are required`];
  }
  const custom = CUSTOM_RESOURCES[apiVersion];
  if (custom) {
    const check = custom[kind];
    if (!check) return [`${name}: unknown kind ${kind} in ${apiVersion}`];
    if (typeof doc.metadata?.name !== 'string') return [`${name}: metadata.name is required`];
    return check(doc.spec ?? {})
      .filter((result) => result !== true)
      .map((problem) => `${name}: ${problem}`);
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
