import Ajv2020 from 'ajv/dist/2020';
import { openApiDocument } from '../../src/entry-points/http/openapi';

// strict off: the schemas sit inside an OpenAPI document, whose other keywords ajv does not know.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));

/**
 * Checks a real response against what /openapi.json promises for that path, method and status;
 * returns the validation errors (empty when it matches), so a test can `expect(...).toEqual([])`.
 */
export function specViolations(
  path: string,
  method: 'get' | 'post' | 'delete',
  res: { status: number; body: unknown },
): string[] {
  const operation = openApiDocument.paths[path]?.[method];
  if (!operation) return [`no operation ${method.toUpperCase()} ${path} in the document`];
  const response = operation.responses[String(res.status)];
  if (!response)
    return [`status ${res.status} is not documented for ${method.toUpperCase()} ${path}`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return [];
  const validate = ajv.compile({ ...schema, components: openApiDocument.components });
  return validate(res.body)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`);
}
