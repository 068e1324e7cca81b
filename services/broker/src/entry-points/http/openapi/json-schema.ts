import { z } from 'zod';

/** What the document says about a zod schema beyond its checks. */
export interface SchemaNote {
  /** Written once under components/schemas under this name and referenced everywhere else. */
  id?: string;
  description?: string;
  minLength?: number;
  maxLength?: number;
  maxProperties?: number;
}

export type JsonSchema = { [keyword: string]: unknown };

export interface Parameter {
  name: string;
  in: 'header' | 'query' | 'path';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

const COMPONENTS = '#/components/schemas/';

/**
 * The document's notes on schemas: component names, and what a check written in code enforces
 * (e.g. the metadata limits), which JSON Schema cannot read off the schema. Kept apart from zod's
 * global registry, so the shared contract schemas are not changed for anyone else.
 */
export const documentNotes = z.registry<SchemaNote>();

export const ref = (id: string): JsonSchema => ({ $ref: `${COMPONENTS}${id}` });

// OpenAPI 3.1 speaks JSON Schema 2020-12. The input side: what a client sends, before transforms
// and defaults (a level in any case, an omitted limit).
const options = { io: 'input', metadata: documentNotes } as const;

/** components/schemas: each schema under its key, with `$ref`s to the other named ones inside. */
export function componentSchemas(named: Record<string, z.ZodType>): Record<string, JsonSchema> {
  for (const [id, schema] of Object.entries(named)) {
    documentNotes.add(schema, { ...documentNotes.get(schema), id });
  }
  const { schemas } = z.toJSONSchema(documentNotes, {
    ...options,
    uri: (id) => `${COMPONENTS}${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => [id, standalone(schema)]),
  );
}

/** One parameter per property of an object schema (headers, query string or path). */
export function parametersOf(schema: z.ZodObject, where: Parameter['in']): Parameter[] {
  const json = standalone(z.toJSONSchema(schema, options));
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...property }]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof description === 'string' ? { description } : {}),
    schema: property,
  }));
}

/** Drops the keywords that make sense only for a document of its own (`$schema`, `$id`). */
function standalone(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}
