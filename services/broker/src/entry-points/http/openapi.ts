import { ACCESS_RULES, type Access, type AccessRule } from '../../edge/access-rules';
import { componentSchemas, ref, type JsonSchema } from './openapi/json-schema';
import { OPERATIONS, type OperationDoc, type ResponseDoc } from './openapi/operations';
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

export type Operation = OperationDoc & { security?: Record<string, string[]>[] };

type Requirement = Record<string, string[]>;
const CREDENTIALS: Requirement[] = [{ bearer: [] }, { apiKey: [] }];

/** Who may call: none needed, a token or an API key, a token only. Several rules: POST /handle. */
function security(accesses: Access[]): Requirement[] | undefined {
  if (accesses.every((a) => a.kind === 'public')) return undefined;
  if (accesses.every((a) => a.kind === 'token')) return [{ bearer: [] }];
  return accesses.some((a) => a.kind === 'public') ? [{}, ...CREDENTIALS] : CREDENTIALS;
}

const error = (description: string): ResponseDoc => ({
  description,
  content: { 'application/json': { schema: ref('ErrorEnvelope') } },
});

/** 401 for any credential-bearing rule, 403 naming the scope each rule asks for. */
function accessAnswers(rules: AccessRule[]): Record<string, ResponseDoc> {
  const answers: Record<string, ResponseDoc> = {};
  if (rules.some((r) => r.access.kind !== 'public')) {
    answers['401'] = error('Missing, invalid, expired or revoked credentials');
  }
  const scoped = rules.flatMap(({ access, action }) =>
    access.kind === 'scope' || access.kind === 'self-or-scope'
      ? [`${action ? `${action}: ` : ''}${access.scope}`]
      : [],
  );
  const own = rules.some((r) => r.access.kind === 'self-or-scope') ? ' (or one’s own user id)' : '';
  if (scoped.length)
    answers['403'] = error(`The credential lacks the scope: ${scoped.join(', ')}${own}`);
  return answers;
}

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
    // Undocumented routes still appear (a test names them), with what the access table says.
    const doc = OPERATIONS[key] ?? { summary: key, responses: {} };
    const guard = security(rules.map((r) => r.access));
    paths[templated(path)] ??= {};
    paths[templated(path)]![method.toLowerCase()] = {
      ...doc,
      parameters: doc.parameters ?? pathParameters(path),
      ...(guard ? { security: guard } : {}),
      responses: { ...accessAnswers(rules), ...doc.responses },
    };
  }
  return paths;
}

/** A plain string per `:param` of a route whose table entry names no parameters. */
function pathParameters(path: string): OperationDoc['parameters'] {
  return [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name: name!,
    in: 'path' as const,
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
