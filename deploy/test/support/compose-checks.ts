import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { carriesCredential } from './credentials';
import { imageIsPinned } from './k8s-policy';
import type { Doc } from './yaml-files';

/** The Compose Specification schema, vendored (see deploy/schemas/README.md for its source). */
const schemaFile = path.join(__dirname, '..', '..', 'schemas', 'compose-spec.schema.json');

let validateCompose: ReturnType<Ajv['compile']> | undefined;

function formatError(error: ErrorObject): string {
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${String((error.params as { additionalProperty: string }).additionalProperty)})`
      : '';
  return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
}

/** Validates a parsed compose file against the Compose Specification schema. */
export function composeSchemaErrors(doc: Doc): string[] {
  if (!validateCompose) {
    // strict: false — the schema uses annotation keywords ajv does not know (e.g. "deprecated").
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    // It names draft-07 by an https URL ajv does not register; draft-07 is ajv's default dialect.
    const { $schema: _dialect, ...schema } = JSON.parse(
      fs.readFileSync(schemaFile, 'utf8'),
    ) as Record<string, unknown>;
    validateCompose = ajv.compile(schema);
  }
  return validateCompose(doc) ? [] : (validateCompose.errors ?? []).map(formatError);
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};

export interface ComposePolicy {
  /** service → the host ports it may publish (anything else stays on the compose network). */
  allowedPublishedPorts: Record<string, number[]>;
}

function publishedHostPorts(ports: unknown): number[] {
  if (!Array.isArray(ports)) return [];
  return ports.map((port: unknown) => {
    if (typeof port === 'object' && port !== null) {
      const long = port as Obj;
      return Number(long.published ?? long.target);
    }
    // "[ip:]host:container[/proto]" or "container" (a random host port).
    const parts = String(port).split('/')[0]!.split(':');
    return Number(parts.length >= 2 ? parts[parts.length - 2] : parts[0]);
  });
}

function environmentOf(service: Obj): [string, string][] {
  const env = service.environment;
  if (Array.isArray(env)) {
    return env.map((entry: unknown) => {
      const [key, ...rest] = String(entry).split('=');
      return [key ?? '', rest.join('=')];
    });
  }
  return Object.entries(obj(env)).map(([k, v]) => [k, v === null ? '' : String(v)]);
}

/**
 * A one-shot job (restart: "no") may go without a health check when everything that depends on
 * it waits for service_completed_successfully.
 */
function isOneShot(name: string, service: Obj, services: Obj): boolean {
  if (service.restart !== 'no') return false;
  return Object.values(services).every((other) => {
    const dep = obj(obj(other).depends_on)[name];
    return dep === undefined || obj(dep).condition === 'service_completed_successfully';
  });
}

export function composePolicyViolations(doc: Doc, policy: ComposePolicy): string[] {
  const problems: string[] = [];
  const services = obj(doc.services);
  const namedVolumes = new Set(Object.keys(obj(doc.volumes)));

  for (const [name, value] of Object.entries(services)) {
    const service = obj(value);
    const oneShot = isOneShot(name, service, services);

    const healthcheck = obj(service.healthcheck);
    if (!oneShot && (healthcheck.test === undefined || healthcheck.disable === true)) {
      problems.push(`${name}: no healthcheck`);
    }

    const image = service.image;
    if (typeof image !== 'string') {
      problems.push(`${name}: no pinned image name (build-only services get an image: with a tag)`);
    } else if (!imageIsPinned(image.replace(/\$\{[^}]*:-([^}]*)\}/g, '$1'))) {
      problems.push(`${name}: image "${image}" is not pinned`);
    }

    const dependsOn = service.depends_on;
    if (Array.isArray(dependsOn)) {
      problems.push(`${name}: depends_on must name a condition (use the long form)`);
    } else {
      for (const [dependency, spec] of Object.entries(obj(dependsOn))) {
        const condition = obj(spec).condition;
        const target = obj(services[dependency]);
        const expected = isOneShot(dependency, target, services)
          ? 'service_completed_successfully'
          : 'service_healthy';
        if (condition !== expected) {
          problems.push(`${name}: depends_on ${dependency} must use condition ${expected}`);
        }
      }
    }

    const allowed = policy.allowedPublishedPorts[name] ?? [];
    for (const port of publishedHostPorts(service.ports)) {
      if (!allowed.includes(port)) problems.push(`${name}: publishes port ${port}`);
    }

    for (const [key, value] of environmentOf(service)) {
      if (carriesCredential(key, value) && !value.includes('${')) {
        problems.push(`${name}: ${key} is a literal credential (take it from .env)`);
      }
    }

    for (const volume of (service.volumes as unknown[] | undefined) ?? []) {
      const source =
        typeof volume === 'string' ? volume.split(':')[0]! : String(obj(volume).source ?? '');
      const isBindMount = source.startsWith('.') || source.startsWith('/');
      if (!isBindMount && source !== '' && !namedVolumes.has(source)) {
        problems.push(`${name}: volume ${source} is not a declared named volume`);
      }
    }
  }
  return problems;
}
