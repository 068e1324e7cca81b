import fc from 'fast-check';

/** A JSON Schema node as the broker's /openapi.json writes them (the subset it uses). */
export interface SchemaNode {
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
}

export interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content?: Record<string, { schema?: SchemaNode }> };
        parameters?: { name: string; in: string }[];
      }
    >
  >;
  components?: { schemas?: Record<string, SchemaNode> };
}

const MAX_STRING = 300;

/** Values that match `schema` (as far as this subset goes), biased toward valid requests. */
export function arbitraryFor(
  doc: OpenApiDoc,
  schema: SchemaNode | undefined,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 12) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref) {
    const name = schema.$ref.split('/').at(-1) ?? '';
    return arbitraryFor(doc, doc.components?.schemas?.[name], depth + 1);
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length)
    return fc.oneof(...alternatives.map((s) => arbitraryFor(doc, s, depth + 1)));
  if (schema.allOf?.length) return arbitraryFor(doc, schema.allOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress();
      const maxLength = Math.min(schema.maxLength ?? MAX_STRING, MAX_STRING);
      const minLength = Math.min(schema.minLength ?? 0, maxLength);
      return fc.string({ minLength, maxLength, unit: 'grapheme' });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arbitraryFor(doc, schema.items, depth + 1), { maxLength: 5 });
    case 'object':
    default: {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props))
        shape[key] = arbitraryFor(doc, sub, depth + 1);
      if (!Object.keys(shape).length)
        return fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), {
          maxKeys: 4,
        });
      return fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) });
    }
  }
}

/** Strings a parser or a store may choke on. */
export const nastyString = fc.oneof(
  fc.constantFrom(
    'a\u0000b',
    '\ud800',
    '\udfff x',
    '\u202e\u0645',
    '%00',
    '../../etc/passwd',
    '%2e%2e%2f',
    '{"$gt":""}',
    "'; DROP TABLE logs; --",
    '<script>alert(1)</script>',
    '\r\nBcc: x@example.com',
    '𝕳𝖊𝖑𝖑𝖔 🧨',
    '',
    ' ',
  ),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** A replacement for one value of a valid body: another type, size, encoding or depth. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}),
  fc.nat({ max: 300 }).map((depth) => {
    let v: unknown = 'deep';
    for (let i = 0; i < depth; i += 1) v = { a: v };
    return v;
  }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 100 }),
);

/** Mutates one path of a JSON value: replace it, delete it, or add a key beside it. */
export function mutate(
  value: unknown,
  choice: number,
  replacement: unknown,
  extraKey: string,
): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const clone = structuredClone(value) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    paths.push(p);
    if (v && typeof v === 'object' && p.length < 6) {
      for (const [k, child] of Object.entries(v))
        walk(child, [...p, Array.isArray(v) ? Number(k) : k]);
    }
  };
  walk(clone, []);
  const target = paths[choice % paths.length] ?? [];
  if (target.length === 0) return replacement;
  const parent = target
    .slice(0, -1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k as string], clone) as Record<
    string,
    unknown
  >;
  const last = target.at(-1) as string;
  switch (choice % 3) {
    case 0:
      parent[last] = replacement;
      break;
    case 1:
      delete parent[last];
      break;
    default:
      parent[extraKey] = replacement;
  }
  return clone;
}
