/**
 * OpenAPI 3.1 description of the broker's public API, served at GET /openapi.json. The component
 * test validates real responses against these schemas, so the document cannot drift silently.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('ErrorEnvelope')) });
const rateLimitHeaders = {
  'X-RateLimit-Limit': { schema: { type: 'integer' }, description: 'Requests allowed per window' },
  'X-RateLimit-Remaining': { schema: { type: 'integer' }, description: 'Requests left' },
  'X-RateLimit-Reset': {
    schema: { type: 'integer' },
    description: 'Seconds until the window resets',
  },
};
const commonErrors = {
  '400': error('Malformed, wrongly typed or invalid body; unknown action'),
  '401': error('Missing or invalid credentials'),
  '413': error('Body too large'),
  '415': error('Body is not JSON'),
  '429': {
    description: 'Rate limited',
    headers: { 'Retry-After': { schema: { type: 'integer' } }, ...rateLimitHeaders },
    content: json(ref('ErrorEnvelope')),
  },
  '503': {
    description: 'A downstream service (or RabbitMQ) is unavailable',
    headers: {
      'Retry-After': {
        schema: { type: 'integer' },
        description: 'Seconds until the open circuit lets a call through again',
      },
    },
    content: json(ref('ErrorEnvelope')),
  },
};
const proxied = (summary: string, admin: boolean) => ({
  summary,
  security: [{ bearer: [] }, { apiKey: [] }],
  responses: {
    '200': { description: 'Relayed from the owning service', content: json(ref('Envelope')) },
    '401': error('Missing or invalid credentials'),
    ...(admin ? { '403': error('Requires the admin role') } : {}),
    '503': error('The owning service is unavailable'),
  },
});

export const openApiDocument = {
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
    schemas: {
      Envelope: {
        type: 'object',
        required: ['error', 'message'],
        properties: { error: { type: 'boolean' }, message: { type: 'string' }, data: {} },
      },
      ErrorEnvelope: {
        type: 'object',
        required: ['error', 'message'],
        additionalProperties: false,
        properties: {
          error: { const: true },
          message: { type: 'string' },
          details: {
            type: 'array',
            items: {
              type: 'object',
              required: ['path', 'message'],
              properties: { path: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
      Level: { type: 'string', description: 'INFO, WARNING (or WARN) or ERROR, any case' },
      AuthAction: {
        type: 'object',
        required: ['action', 'auth'],
        properties: {
          action: { const: 'auth' },
          auth: {
            type: 'object',
            required: ['email', 'password'],
            properties: { email: { type: 'string' }, password: { type: 'string' } },
          },
        },
      },
      LogAction: {
        type: 'object',
        required: ['action', 'log'],
        properties: {
          action: { const: 'log' },
          log: {
            type: 'object',
            required: ['name', 'data'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 200 },
              data: { type: 'string', maxLength: 65536 },
              level: ref('Level'),
              metadata: { type: 'object', maxProperties: 64 },
            },
          },
        },
      },
      EventAction: {
        type: 'object',
        required: ['action', 'event'],
        properties: {
          action: { const: 'event' },
          event: {
            type: 'object',
            required: ['name', 'data'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 200 },
              data: { type: 'string', maxLength: 65536 },
              level: ref('Level'),
            },
          },
        },
      },
      MailAction: {
        type: 'object',
        required: ['action', 'mail'],
        properties: {
          action: { const: 'mail' },
          mail: {
            type: 'object',
            required: ['to', 'subject', 'message'],
            properties: {
              from: {
                type: 'string',
                description:
                  'Optional. Only the configured sender (MAIL_FROM) or one on MAIL_FROM_ALLOWLIST; anything else is 400. Left out: MAIL_FROM.',
              },
              to: { type: 'string', description: 'One plain address (local@domain)' },
              subject: { type: 'string', minLength: 1, maxLength: 200 },
              message: { type: 'string', minLength: 1, maxLength: 20000 },
            },
          },
        },
      },
      MailStatus: {
        type: 'object',
        required: ['id', 'status', 'attempts', 'lastError', 'nextAttemptAt', 'createdAt', 'sentAt'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', format: 'uuid' },
          status: { enum: ['queued', 'sent', 'failed'] },
          attempts: { type: 'integer', minimum: 0 },
          lastError: { type: ['string', 'null'] },
          nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
          createdAt: { type: 'string', format: 'date-time' },
          sentAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      MailAccepted: {
        type: 'object',
        required: ['error', 'message', 'data'],
        description:
          'The message is durably queued (status queued; on an Idempotency-Key replay, its current status). Poll GET /api/mail/{id}.',
        properties: {
          error: { const: false },
          message: { type: 'string' },
          data: ref('MailStatus'),
        },
      },
      AuthAccepted: {
        type: 'object',
        required: ['error', 'message', 'data'],
        properties: {
          error: { const: false },
          message: { type: 'string' },
          data: {
            type: 'object',
            required: ['user', 'token'],
            properties: {
              user: {
                type: 'object',
                required: ['email'],
                properties: { email: { type: 'string' } },
              },
              token: {
                type: 'object',
                required: ['access_token', 'token_type', 'expires_in'],
                properties: {
                  access_token: { type: 'string' },
                  token_type: { const: 'Bearer' },
                  expires_in: { type: 'integer' },
                },
              },
            },
          },
        },
      },
      LogAccepted: {
        type: 'object',
        required: ['error', 'message', 'data'],
        properties: {
          error: { const: false },
          message: { type: 'string' },
          data: {
            type: 'object',
            required: ['event_id'],
            properties: { event_id: { type: 'string', format: 'uuid' } },
          },
        },
      },
      EventAccepted: {
        type: 'object',
        required: ['error', 'message', 'data'],
        properties: {
          error: { const: false },
          message: { type: 'string' },
          data: {
            type: 'object',
            required: ['event_id', 'routing_key'],
            properties: {
              event_id: { type: 'string', format: 'uuid' },
              routing_key: { enum: ['log.INFO', 'log.WARNING', 'log.ERROR'] },
            },
          },
        },
      },
      Health: {
        type: 'object',
        required: ['error', 'message', 'data'],
        properties: {
          error: { const: false },
          message: { type: 'string' },
          data: {
            type: 'object',
            required: ['ready', 'services'],
            properties: {
              ready: { type: 'boolean' },
              services: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  required: ['ok', 'ms'],
                  properties: {
                    ok: { type: 'boolean' },
                    ms: { type: 'number' },
                    status: { type: 'integer' },
                    error: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  paths: {
    '/': {
      post: {
        summary: 'Hit the broker',
        responses: { '200': { description: 'Alive', content: json(ref('Envelope')) } },
      },
    },
    '/ping': {
      get: {
        summary: 'Ping',
        responses: { '200': { description: 'pong', content: json(ref('Envelope')) } },
      },
    },
    '/handle': {
      post: {
        summary: 'Run one action (auth is public; the others need a token or an API key)',
        security: [{}, { bearer: [] }, { apiKey: [] }],
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'mail: 1–200 printable ASCII characters, scoped to the caller. The same key and body within 24 h (IDEMPOTENCY_TTL_HOURS) answer the same message; another body is 422.',
            schema: { type: 'string', minLength: 1, maxLength: 200 },
          },
        ],
        requestBody: {
          required: true,
          content: json({
            oneOf: [ref('AuthAction'), ref('LogAction'), ref('EventAction'), ref('MailAction')],
          }),
        },
        responses: {
          '202': {
            description: 'Accepted: logged, event confirmed by RabbitMQ, mail queued, or logged in',
            headers: rateLimitHeaders,
            content: json({
              anyOf: [
                ref('AuthAccepted'),
                ref('LogAccepted'),
                ref('EventAccepted'),
                ref('MailAccepted'),
              ],
            }),
          },
          ...commonErrors,
          '422': error('mail: the Idempotency-Key was already used with a different message'),
          '429': {
            description:
              'Rate limited, or (mail) the caller used up its mail quota per minute or per day (MAIL_QUOTA_PER_MINUTE, MAIL_QUOTA_PER_DAY)',
            headers: { 'Retry-After': { schema: { type: 'integer' } }, ...rateLimitHeaders },
            content: json(ref('ErrorEnvelope')),
          },
        },
      },
    },
    '/log-grpc': {
      post: {
        summary: 'Reference alias of the log action',
        security: [{ bearer: [] }, { apiKey: [] }],
        requestBody: { required: true, content: json(ref('LogAction')) },
        responses: {
          '202': {
            description: 'Logged',
            headers: rateLimitHeaders,
            content: json(ref('LogAccepted')),
          },
          ...commonErrors,
        },
      },
    },
    '/api/mail/{id}': {
      get: {
        summary: 'Delivery state of a mail the caller sent (another caller’s mail is 404)',
        security: [{ bearer: [] }, { apiKey: [] }],
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        ],
        responses: {
          '200': {
            description: 'The message’s state, never its addresses or content',
            content: json({
              type: 'object',
              required: ['error', 'message', 'data'],
              properties: {
                error: { const: false },
                message: { type: 'string' },
                data: ref('MailStatus'),
              },
            }),
          },
          '400': error('The id is not a UUID'),
          '401': error('Missing or invalid credentials'),
          '404': error('No message with this id sent by the caller'),
          '503': error('The mail service is unavailable'),
        },
      },
    },
    '/api/health': {
      get: {
        summary: 'Readiness of every service and of the broker’s RabbitMQ link',
        security: [{ bearer: [] }, { apiKey: [] }],
        responses: {
          '200': { description: 'Summary', content: json(ref('Health')) },
          '401': error('Missing or invalid credentials'),
        },
      },
    },
    '/api/logs': {
      get: proxied('Query stored logs (filters and cursor; proxied to the logger)', false),
    },
    '/api/logs/{path}': {
      get: {
        ...proxied(
          'One log entry or the live tail (text/event-stream), proxied to the logger',
          false,
        ),
        parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
      },
    },
    '/api/traces': {
      get: proxied(
        'Recent or slowest traces (service, min_ms, error, since, sort, limit; admin; proxied to the logger)',
        true,
      ),
    },
    '/api/traces/{traceId}': {
      get: {
        ...proxied('One trace: its spans and log lines (admin; proxied to the logger)', true),
        parameters: [{ name: 'traceId', in: 'path', required: true, schema: { type: 'string' } }],
      },
    },
    '/api/users': {
      get: proxied('Users (admin; proxied to auth)', true),
      post: proxied('Create a user', true),
    },
    '/api/keys': {
      get: proxied('API keys (admin; proxied to auth)', true),
      post: proxied('Create an API key', true),
    },
  },
} as const;
