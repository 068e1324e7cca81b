import { ACCESS_RULES } from '@micromesh/contracts';
import { senderPolicy } from '@micromesh/kit';
import Ajv2020 from 'ajv/dist/2020';
import type { z } from 'zod';
import { mailActionSchema } from '../src/domain/mail-action-schema';
import { listQuerySchema } from '../src/entry-points/http/dead-letter-routes';
import { payloadSchemas } from '../src/entry-points/http/handle-routes';
import { openApiDocument } from '../src/entry-points/http/openapi';
import { OPERATIONS } from '../src/entry-points/http/openapi/operations';

interface StringBounds {
  type?: string;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, StringBounds>;
  maxProperties?: number;
  $ref?: string;
}

/**
 * An address of exactly `length` characters (at least 6, `a@b.co`): local part, then domain
 * labels of at most 63 characters, then a top-level domain.
 */
function addressOfLength(length: number): string {
  const local = 'a'.repeat(Math.max(1, Math.min(64, length - 5)));
  let rest = length - local.length - 1 - '.co'.length;
  const labels: string[] = [];
  while (rest > 0) {
    // Never leave a single character: it could only be a dot before an empty label.
    const label = Math.min(63, rest === 64 ? 62 : rest);
    labels.push('b'.repeat(label));
    rest -= label + 1;
  }
  return `${local}@${labels.join('.')}.co`;
}

/** Fields that hold an address: probed with addresses, for their longest only. */
const ADDRESS_FIELDS = new Set(['email', 'from', 'to']);
const valueOfLength = (field: string, length: number) =>
  ADDRESS_FIELDS.has(field) ? addressOfLength(length) : 'x'.repeat(length);

const PROBE_MAX = 300_000;
// `from` must also pass the sender policy: allow every address the probe tries up to 1,000.
const allowedSenders = Array.from({ length: 1_000 }, (_, n) => addressOfLength(n + 6));
const handlerSchemas: Record<string, z.ZodObject> = {
  auth: payloadSchemas.auth,
  log: payloadSchemas.log,
  event: payloadSchemas.event,
  mail: mailActionSchema(senderPolicy('sender@example.com', allowedSenders)),
};
/** A body each handler accepts, to change one field of. */
const validPayloads: Record<string, Record<string, unknown>> = {
  auth: { email: 'someone@example.com', password: 'secret' },
  log: { name: 'n', data: 'd', level: 'info', metadata: { a: 1 } },
  event: { name: 'n', data: 'd', level: 'warn' },
  mail: { to: 'someone@example.com', subject: 's', message: 'm' },
};

const documentedAction = (action: string) => {
  const component = openApiDocument.components.schemas[
    `${action[0]!.toUpperCase()}${action.slice(1)}Action`
  ] as StringBounds;
  return component.properties![action]!;
};
const takes = (action: string, field: string, value: unknown) =>
  handlerSchemas[action]!.safeParse({ [action]: { ...validPayloads[action], [field]: value } })
    .success;
const accepts = (action: string, field: string, length: number) =>
  takes(action, field, valueOfLength(field, length));

/** The longest value the handler takes in this field (undefined: no bound up to PROBE_MAX). */
function longestAccepted(action: string, field: string): number | undefined {
  if (accepts(action, field, PROBE_MAX)) return undefined;
  let [ok, refused] = [0, PROBE_MAX];
  while (refused - ok > 1) {
    const mid = Math.floor((ok + refused) / 2);
    if (accepts(action, field, mid)) ok = mid;
    else refused = mid;
  }
  return ok;
}

/** The shortest text the handler takes in this field (undefined: none up to 64). */
function shortestAccepted(action: string, field: string): number | undefined {
  for (let length = 0; length <= 64; length += 1) {
    if (accepts(action, field, length)) return length;
  }
  return undefined;
}

describe('GET /openapi.json: the document and the schemas the handlers parse with', () => {
  describe('POST /handle request bodies', () => {
    it.each(Object.keys(handlerSchemas))(
      'When the %s action is probed field by field, then the longest and shortest values each field takes are the maxLength and minLength the document states',
      (action) => {
        const documented = documentedAction(action).properties!;
        const stringFields = Object.entries(documented).filter(([, s]) => s.type === 'string');

        const probed = stringFields.map(([field, s]) =>
          ADDRESS_FIELDS.has(field)
            ? { field, documented: [s.maxLength], accepted: [longestAccepted(action, field)] }
            : {
                field,
                documented: [s.minLength ?? 0, s.maxLength],
                accepted: [shortestAccepted(action, field), longestAccepted(action, field)],
              },
        );

        expect(stringFields.length).toBeGreaterThan(0);
        expect(probed.map((p) => [p.field, p.documented])).toEqual(
          probed.map((p) => [p.field, p.accepted]),
        );
      },
    );

    it('When the document lists the fields of each action, then they are the fields the handler parses', () => {
      const fields = (schema: z.ZodObject, action: string) =>
        Object.keys((schema.shape[action] as z.ZodObject).shape).sort();

      for (const [action, schema] of Object.entries(handlerSchemas)) {
        expect([action, Object.keys(documentedAction(action).properties!).sort()]).toEqual([
          action,
          fields(schema, action),
        ]);
      }
    });

    it('When metadata carries one key more than the document allows, then the handler refuses it and takes one fewer', () => {
      const metadata = openApiDocument.components.schemas.Metadata as StringBounds;
      const withKeys = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

      expect(metadata.maxProperties).toBeGreaterThan(0);
      expect(takes('log', 'metadata', withKeys(metadata.maxProperties!))).toBe(true);
      expect(takes('log', 'metadata', withKeys(metadata.maxProperties! + 1))).toBe(false);
    });
  });

  describe('GET /api/dead-letters query', () => {
    it('When limit is probed at the documented bounds, then the handler takes them and refuses one beyond; the documented default is its default', () => {
      const [limit] = openApiDocument.paths['/api/dead-letters']!.get!.parameters!;
      const { minimum, maximum, default: byDefault } = limit!.schema as Record<string, number>;
      const takes = (value: number) => listQuerySchema.safeParse({ limit: String(value) }).success;

      expect(limit!.in).toBe('query');
      expect([takes(minimum!), takes(minimum! - 1)]).toEqual([true, false]);
      expect([takes(maximum!), takes(maximum! + 1)]).toEqual([true, false]);
      expect(listQuerySchema.parse({}).limit).toBe(byDefault);
    });
  });

  describe('routes', () => {
    it('When the access table and the document are compared, then every route is documented with a summary and every documented route exists', () => {
      const routes = [...new Set(ACCESS_RULES.map((r) => `${r.method} ${r.path}`))].sort();
      const documented = Object.entries(openApiDocument.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map(
          (method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      );

      expect(Object.keys(OPERATIONS).sort()).toEqual(routes);
      expect(documented.sort()).toEqual(routes);
    });

    it('When a route needs a scope, then its 403 answer names it; a public route has no security', () => {
      const paths = openApiDocument.paths;

      expect(paths['/api/dead-letters']!.get!.responses['403']!.description).toContain('dlq:admin');
      expect(paths['/handle']!.post!.responses['403']!.description).toContain('mail: mail:send');
      expect(paths['/handle']!.post!.security).toContainEqual({});
      expect(paths['/ping']!.get!.security).toBeUndefined();
      expect(paths['/api/auth/logout']!.post!.security).toEqual([{ bearer: [] }]);
    });
  });

  it('When every schema of the document is compiled as JSON Schema 2020-12, then none is refused', () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addFormat('uuid', true).addFormat('date-time', true);
    const components = Object.values(openApiDocument.components.schemas);
    const inOperations = Object.values(openApiDocument.paths).flatMap((methods) =>
      Object.values(methods).flatMap((op) => [
        ...(op.parameters ?? []).map((p) => p.schema),
        ...Object.values(op.requestBody?.content ?? {}).map((c) => c.schema),
        ...Object.values(op.responses).flatMap((r) =>
          Object.values(r.content ?? {}).map((c) => c.schema),
        ),
      ]),
    );
    // Each distinct schema once: every compile brings all the components along.
    const schemas = [
      ...new Set([...components, ...inOperations].map((s) => JSON.stringify(s))),
    ].map((text) => JSON.parse(text) as object);

    const refused = schemas.flatMap((schema) => {
      try {
        ajv.compile({ ...schema, components: openApiDocument.components });
        return [];
      } catch (err) {
        return [`${JSON.stringify(schema)}: ${(err as Error).message}`];
      }
    });

    expect(schemas.length).toBeGreaterThan(components.length);
    expect(refused).toEqual([]);
  });
});
