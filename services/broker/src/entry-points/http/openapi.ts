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
  '400': error(
    'Malformed, wrongly typed or invalid body (the input contract: details name each field); ' +
      'JSON nested too deep; unknown action; an entry the log store refused',
  ),
  '401': error('Missing, invalid, expired or revoked credentials'),
  '403': error('The credential lacks the action’s scope (logs:write, events:publish, mail:send)'),
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
/** A string every log store can hold (the input contract of @micromesh/contracts). */
const storeSafeText = (bounds: object) => ({
  type: 'string',
  ...bounds,
  description: 'No NUL characters (\\u0000) and no unpaired UTF-16 surrogates',
});
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7E]+$' },
  description:
    'log, event and mail: 1-200 printable ASCII characters without spaces, scoped to the ' +
    "caller. The same key and body answer the first request's answer (the same event_id or mail " +
    'id) and store one record; another body is 422; kept 24 h (IDEMPOTENCY_TTL_HOURS)',
};
const replayed = {
  'Idempotent-Replayed': {
    schema: { const: 'true' },
    description: 'Present when this is the stored answer of an earlier request with the same key',
  },
};
const reusedKey = error(
  'Idempotency-Key reused with a different request (log, event, mail): ' +
    '"idempotency key reused with a different request"',
);

/** `scope`: what the route needs (see the README's Security section); undefined = any caller. */
const proxied = (summary: string, scope: string | undefined) => ({
  summary,
  security: [{ bearer: [] }, { apiKey: [] }],
  responses: {
    '200': { description: 'Relayed from the owning service', content: json(ref('Envelope')) },
    '400': error('Invalid path (dot segments, encoded slashes) or body'),
    '401': error('Missing, invalid, expired or revoked credentials'),
    ...(scope ? { '403': error(`Requires the ${scope} scope`) } : {}),
    '503': error('The owning service is unavailable'),
  },
});

const deadLetterId = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
};
const deadLetterErrors = {
  '400': error('Invalid limit or id'),
  '401': error('Missing or invalid credentials'),
  '403': error('Requires the dlq:admin scope'),
  '429': commonErrors['429'],
  '503': error('RabbitMQ unavailable'),
};

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
      Level: {
        type: 'string',
        description: 'DEBUG, INFO, WARNING (or WARN), ERROR or FATAL, any case',
      },
      Metadata: {
        type: 'object',
        maxProperties: 64,
        description:
          'JSON object; keys not empty, not starting with "$", without "."; nesting at most 32 ' +
          'levels; at most 1024 keys and array elements in all and 65536 bytes of JSON; strings ' +
          'store-safe',
      },
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
              name: storeSafeText({ minLength: 1, maxLength: 200 }),
              data: storeSafeText({ maxLength: 65536 }),
              level: ref('Level'),
              metadata: ref('Metadata'),
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
              name: storeSafeText({ minLength: 1, maxLength: 200 }),
              data: storeSafeText({ maxLength: 65536 }),
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
              routing_key: {
                enum: ['log.DEBUG', 'log.INFO', 'log.WARNING', 'log.ERROR', 'log.FATAL'],
              },
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
      DeadLetter: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'reason',
          'detail',
          'routing_key',
          'message_id',
          'dead_lettered_at',
          'attempts',
          'preview',
        ],
        properties: {
          id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
          reason: {
            type: 'string',
            description:
              "The listener's reason (malformed, invalid, refused, retries_exhausted) or RabbitMQ's own (delivery_limit, rejected); unknown when neither is recorded",
          },
          detail: { type: ['string', 'null'], description: "The refusing party's own words" },
          routing_key: { type: 'string' },
          message_id: { type: ['string', 'null'] },
          dead_lettered_at: { type: ['string', 'null'], format: 'date-time' },
          attempts: { type: ['integer', 'null'] },
          preview: { type: 'string', description: 'The start of the body (200 characters)' },
        },
      },
      DeadLetterPage: {
        type: 'object',
        required: ['error', 'message', 'data'],
        properties: {
          error: { const: false },
          message: { type: 'string' },
          data: {
            type: 'object',
            additionalProperties: false,
            required: ['count', 'items'],
            properties: {
              count: { type: 'integer', minimum: 0, description: 'All messages in the queue' },
              items: { type: 'array', items: ref('DeadLetter'), description: 'Oldest first' },
            },
          },
        },
      },
      DeadLetterDone: {
        type: 'object',
        required: ['error', 'message', 'data'],
        properties: {
          error: { const: false },
          message: { type: 'string' },
          data: {
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string' } },
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
        parameters: [idempotencyKey],
        requestBody: {
          required: true,
          content: json({
            oneOf: [ref('AuthAction'), ref('LogAction'), ref('EventAction'), ref('MailAction')],
          }),
        },
        responses: {
          '202': {
            description: 'Accepted: logged, event confirmed by RabbitMQ, mail queued, or logged in',
            headers: { ...rateLimitHeaders, ...replayed },
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
          '422': reusedKey,
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
        parameters: [idempotencyKey],
        requestBody: { required: true, content: json(ref('LogAction')) },
        responses: {
          '202': {
            description: 'Logged',
            headers: { ...rateLimitHeaders, ...replayed },
            content: json(ref('LogAccepted')),
          },
          '422': reusedKey,
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
      get: proxied('Query stored logs (filters and cursor; proxied to the logger)', 'logs:read'),
    },
    '/api/logs/{path}': {
      get: {
        ...proxied(
          'One log entry or the live tail (text/event-stream, ended at the token’s expiry or revocation; at most STREAMS_PER_CLIENT at once, 429 beyond), proxied to the logger',
          'logs:read',
        ),
        parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
      },
    },
    '/api/traces': {
      get: proxied(
        'Recent or slowest traces (service, min_ms, error, since, sort, limit), proxied to the logger',
        'traces:read',
      ),
    },
    '/api/traces/{traceId}': {
      get: {
        ...proxied('One trace: its spans and log lines, proxied to the logger', 'traces:read'),
        parameters: [{ name: 'traceId', in: 'path', required: true, schema: { type: 'string' } }],
      },
    },
    '/api/users': {
      get: proxied('Users (proxied to auth)', 'users:admin'),
      post: proxied('Create a user', 'users:admin'),
    },
    '/api/users/{id}': {
      get: proxied('One user: one’s own, or any with users:admin', 'users:admin'),
      patch: proxied(
        'Change a user; one’s own password needs current_password; a new password, role or active flag revokes the user’s tokens',
        'users:admin',
      ),
      delete: proxied('Delete a user (revokes its tokens)', 'users:admin'),
    },
    '/api/keys': {
      get: proxied(
        'The caller’s API keys (everyone’s with keys:admin; proxied to auth)',
        undefined,
      ),
      post: proxied(
        'Create an API key with a subset of the caller’s scopes (`scopes`), shown once',
        undefined,
      ),
    },
    '/api/auth/logout': {
      post: proxied('Revoke every token of the caller (all sessions, every broker)', undefined),
    },
    '/api/dead-letters': {
      get: {
        summary:
          'Dead letters, oldest first, with reason and a preview (admin); nothing is consumed',
        security: [{ bearer: [] }, { apiKey: [] }],
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        ],
        responses: {
          '200': {
            description: 'Depth and the oldest items',
            content: json(ref('DeadLetterPage')),
          },
          ...deadLetterErrors,
        },
      },
    },
    '/api/dead-letters/{id}/replay': {
      post: {
        summary:
          'Republish a dead letter to logs_topic with its routing key and message id (confirmed), then remove it (admin)',
        security: [{ bearer: [] }, { apiKey: [] }],
        parameters: [deadLetterId],
        responses: {
          '200': { description: 'Replayed and removed', content: json(ref('DeadLetterDone')) },
          '404': error('No dead letter with this id (among the first DEAD_LETTER_SEARCH_MAX)'),
          '409': error('No queue is bound for its routing key; the dead letter stays'),
          ...deadLetterErrors,
        },
      },
    },
    '/api/dead-letters/{id}': {
      delete: {
        summary: 'Discard a dead letter (admin)',
        security: [{ bearer: [] }, { apiKey: [] }],
        parameters: [deadLetterId],
        responses: {
          '200': { description: 'Discarded', content: json(ref('DeadLetterDone')) },
          '404': error('No dead letter with this id (among the first DEAD_LETTER_SEARCH_MAX)'),
          ...deadLetterErrors,
        },
      },
    },
  },
} as const;
