import Ajv from 'ajv';
import type { Doc } from './yaml-files';

/**
 * kubernetes-models knows only the built-in kinds. cert-manager's Issuer and Certificate are
 * checked against this schema instead: the subset of the cert-manager.io/v1 CRDs
 * (https://cert-manager.io/docs/reference/api-docs/) the manifests use, closed to unknown fields so
 * a misspelt one fails here rather than being dropped by the API server.
 */
const metadata = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' } },
};
const issuerRef = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    kind: { enum: ['Issuer', 'ClusterIssuer'] },
    group: { const: 'cert-manager.io' },
  },
};
const duration = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' };
const usage = {
  enum: [
    'signing',
    'digital signature',
    'content commitment',
    'key encipherment',
    'key agreement',
    'data encipherment',
    'cert sign',
    'crl sign',
    'server auth',
    'client auth',
  ],
};

const issuerSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        selfSigned: { type: 'object', additionalProperties: false },
        ca: {
          type: 'object',
          required: ['secretName'],
          additionalProperties: false,
          properties: { secretName: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
};

const certificateSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata,
    spec: {
      type: 'object',
      required: ['secretName', 'issuerRef'],
      additionalProperties: false,
      anyOf: [{ required: ['commonName'] }, { required: ['dnsNames'] }],
      properties: {
        secretName: { type: 'string', minLength: 1 },
        commonName: { type: 'string', minLength: 1, maxLength: 64 },
        dnsNames: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        isCA: { type: 'boolean' },
        usages: { type: 'array', items: usage },
        duration,
        renewBefore: duration,
        privateKey: {
          type: 'object',
          additionalProperties: false,
          properties: {
            algorithm: { enum: ['RSA', 'ECDSA', 'Ed25519'] },
            size: { type: 'integer' },
            rotationPolicy: { enum: ['Never', 'Always'] },
            encoding: { enum: ['PKCS1', 'PKCS8'] },
          },
        },
        issuerRef,
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true });
const validators = {
  Issuer: ajv.compile(issuerSchema),
  Certificate: ajv.compile(certificateSchema),
};

export function isCertManager(doc: Doc): boolean {
  return doc.apiVersion === 'cert-manager.io/v1';
}

/** Problems of one cert-manager object (an unknown kind is one). */
export function certManagerErrors(doc: Doc): string[] {
  const name = `${String(doc.kind)} ${String((doc.metadata as Doc | undefined)?.name)}`;
  const validate = validators[doc.kind as keyof typeof validators] as
    (typeof validators)['Issuer'] | undefined;
  if (!validate) return [`${name}: unknown kind in cert-manager.io/v1`];
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(
    (e) => `${name}: ${e.instancePath || '/'} ${e.message ?? e.keyword}`,
  );
}
