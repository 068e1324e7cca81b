import { ACCESS_RULES, type AccessRule } from '@micromesh/contracts';
import { accessAnswers, securityOf, type Requirement } from './openapi/access-answers';
import { componentSchemas, type JsonSchema, type Parameter } from './openapi/json-schema';
import { OPERATIONS, type OperationDoc } from './openapi/operations';
import { requestBodies } from './openapi/request-schemas';
import { responseBodies } from './openapi/response-schemas';

/**
 * OpenAPI 3.1 description of the broker's public API, served at GET /openapi.json. The routes and
 * who may call them come from the access table; request bodies and parameters from the zod
 * schemas the handlers parse with; summaries and answers from OPERATIONS. The component tests
 * check real answers against it, and the fuzzer (scripts/chaos) builds its requests from it.
 */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  components: {
    securitySchemes: Record<string, JsonSchema>;
    schemas: Record<string, JsonSchema>;
  };
  paths: Record<string, Record<string, Operation>>;
}

export type Operation = OperationDoc & { security?: Requirement[] };

/** `/api/mail/:id` → `/api/mail/{id}`. */
const templated = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function buildPaths(): OpenApiDocument['paths'] {
  const byRoute = new Map<string, AccessRule[]>();
  for (const rule of ACCESS_RULES) {
    const key = `${rule.method} ${rule.path}`;
    byRoute.set(key, [...(byRoute.get(key) ?? []), rule]);
  }
  const paths: OpenApiDocument['paths'] = {};
  for (const [key, rules] of byRoute) {
    const { method, path } = rules[0]!;
    // A route missing from OPERATIONS still appears, with what the access table says (and the
    // document test names it).
    const doc = OPERATIONS[key] ?? { summary: key, responses: {} };
    const parameters = doc.parameters ?? pathParameters(path);
    const security = securityOf(rules);
    (paths[templated(path)] ??= {})[method.toLowerCase()] = {
      ...doc,
      ...(parameters.length ? { parameters } : {}),
      ...(security ? { security } : {}),
      responses: { ...accessAnswers(rules), ...doc.responses },
    };
  }
  return paths;
}

/** A plain string per `:param` of a route whose entry names no parameters (a proxied route). */
function pathParameters(path: string): Parameter[] {
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name: name!,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'micromesh broker',
    version: '1.0.0',
    description: 'The only public entry of the mesh: actions, log queries, users, keys, health.',
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
    schemas: componentSchemas({ ...requestBodies, ...responseBodies }),
  },
  paths: buildPaths(),
};
