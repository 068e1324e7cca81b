import { parametersOf, ref, type JsonSchema, type Parameter } from './json-schema';
import { requestParameters } from './request-schemas';

/**
 * What the document says of each route beyond its schemas: a summary, its body and parameters
 * (from the handlers' schemas), and its answers. Keyed like the access table (`GET /api/mail/:id`),
 * which gives the route list, the security and the 401/403 answers.
 */
export interface OperationDoc {
  summary: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, ResponseDoc>;
}

export interface ResponseDoc {
  description: string;
  headers?: Record<string, { schema: JsonSchema; description?: string }>;
  content?: Record<string, { schema: JsonSchema }>;
}

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const answer = (description: string, schema: JsonSchema): ResponseDoc => ({
  description,
  content: json(schema),
});
export const error = (description: string) => answer(description, ref('ErrorEnvelope'));
const integer = { type: 'integer' };

const rateLimitHeaders = {
  'X-RateLimit-Limit': { schema: integer, description: 'Requests allowed per window' },
  'X-RateLimit-Remaining': { schema: integer, description: 'Requests left' },
  'X-RateLimit-Reset': { schema: integer, description: 'Seconds until the window resets' },
};
const replayed = {
  'Idempotent-Replayed': {
    schema: { const: 'true' },
    description: 'Present when this is the stored answer of an earlier request with the same key',
  },
};
const rateLimited: ResponseDoc = {
  ...error('Rate limited'),
  headers: { 'Retry-After': { schema: integer }, ...rateLimitHeaders },
};
const actionErrors = {
  '400': error(
    'Malformed, wrongly typed or invalid body (the input contract: details name each field); ' +
      'JSON nested too deep; unknown action; an entry the log store refused',
  ),
  '413': error('Body too large'),
  '415': error('Body is not JSON'),
  '422': error(
    'Idempotency-Key reused with a different request (log, event, mail): ' +
      '"idempotency key reused with a different request"',
  ),
  '429': rateLimited,
  '503': {
    ...error('A downstream service (or RabbitMQ) is unavailable'),
    headers: {
      'Retry-After': {
        schema: integer,
        description: 'Seconds until the open circuit lets a call through again',
      },
    },
  },
};
const proxied = (summary: string): OperationDoc => ({
  summary,
  responses: {
    '200': answer('Relayed from the owning service', ref('Envelope')),
    '400': error('Invalid path (dot segments, encoded slashes) or body'),
    '503': error('The owning service is unavailable'),
  },
});
const deadLetterErrors = {
  '400': error('Invalid limit or id'),
  '429': rateLimited,
  '503': error('RabbitMQ unavailable'),
};
const deadLetterNotFound = error(
  'No dead letter with this id (among the first DEAD_LETTER_SEARCH_MAX)',
);
const idempotencyKey = parametersOf(requestParameters.handleHeaders, 'header');

export const OPERATIONS: Record<string, OperationDoc> = {
  'POST /': { summary: 'Hit the broker', responses: { '200': answer('Alive', ref('Envelope')) } },
  'GET /ping': { summary: 'Ping', responses: { '200': answer('pong', ref('Envelope')) } },
  'GET /openapi.json': {
    summary: 'This document',
    responses: { '200': answer('OpenAPI 3.1', { type: 'object' }) },
  },
  'POST /handle': {
    summary: 'Run one action (auth is public; the others need a token or an API key)',
    parameters: idempotencyKey,
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
      ...actionErrors,
      '429': {
        ...rateLimited,
        description:
          'Rate limited, or (mail) the caller used up its mail quota per minute or per day ' +
          '(MAIL_QUOTA_PER_MINUTE, MAIL_QUOTA_PER_DAY)',
      },
    },
  },
  'POST /log-grpc': {
    summary: 'Reference alias of the log action',
    parameters: idempotencyKey,
    requestBody: { required: true, content: json(ref('LogAction')) },
    responses: {
      '202': {
        description: 'Logged',
        headers: { ...rateLimitHeaders, ...replayed },
        content: json(ref('LogAccepted')),
      },
      ...actionErrors,
    },
  },
  'GET /api/mail/:id': {
    summary: 'Delivery state of a mail the caller sent (another caller’s mail is 404)',
    // The broker relays the id; the mail service checks it.
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      '200': answer('The message’s state, never its addresses or content', ref('MailStatusPage')),
      '400': error('The id is not a UUID'),
      '404': error('No message with this id sent by the caller'),
      '503': error('The mail service is unavailable'),
    },
  },
  'GET /api/health': {
    summary: 'Readiness of every service and of the broker’s RabbitMQ link',
    responses: { '200': answer('Summary', ref('Health')) },
  },
  'GET /api/logs': proxied('Query stored logs (filters and cursor; proxied to the logger)'),
  'GET /api/logs/stream': {
    ...proxied(
      'The live tail (text/event-stream, ended at the token’s expiry or revocation, or by the ' +
        'logger for a client that stops reading; at most STREAMS_PER_CLIENT at once per user, its ' +
        'sessions and API keys together, 429 beyond), ' +
        'proxied to the logger',
    ),
    responses: {
      '200': {
        description:
          'Server-sent events, one per stored entry; a last `end` event says why the stream ended',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
      '429': rateLimited,
      '503': {
        ...error(
          'The logger is unavailable, or serves as many tails as it allows (LOG_TAIL_MAX_SUBSCRIBERS)',
        ),
        headers: {
          'Retry-After': {
            schema: integer,
            description: 'When the logger is full or the circuit is open: seconds to wait',
          },
        },
      },
    },
  },
  'GET /api/logs/:id': proxied('One log entry, proxied to the logger'),
  'GET /api/traces': proxied(
    'Recent or slowest traces (service, min_ms, error, since, sort, limit), proxied to the logger',
  ),
  'GET /api/traces/:id': proxied('One trace: its spans and log lines, proxied to the logger'),
  'GET /api/users': proxied('Users (proxied to auth)'),
  'POST /api/users': proxied('Create a user (a token session only: an API key gets 400)'),
  'GET /api/users/:id': proxied('One user: one’s own, or any with users:admin'),
  'PATCH /api/users/:id': proxied(
    'Change a user; one’s own password needs current_password; a new password, role or active ' +
      'flag revokes the user’s tokens; another’s password or role, or a reactivation, needs a ' +
      'token session (an API key gets 400)',
  ),
  'DELETE /api/users/:id': proxied('Delete a user (revokes its tokens)'),
  'GET /api/keys': proxied('The caller’s API keys (everyone’s with keys:admin; proxied to auth)'),
  'POST /api/keys': proxied(
    'Create an API key with a subset of the caller’s scopes (`scopes`), shown once; a token ' +
      'session only (an API key gets 400: a key made by a key would outlive it); at most ' +
      'AUTH_MAX_KEYS_PER_USER live keys per user (409 beyond). A user’s keys share its budgets',
  ),
  'DELETE /api/keys/:id': proxied('Revoke an API key: one’s own, or any with keys:admin'),
  'POST /api/auth/logout': proxied(
    'Revoke every token of the caller (all sessions, every broker); an API key is 400',
  ),
  'GET /api/dead-letters': {
    summary: 'Dead letters, oldest first, with reason and a preview (admin); nothing is consumed',
    parameters: parametersOf(requestParameters.deadLetterList, 'query'),
    responses: {
      '200': answer('Depth and the oldest items', ref('DeadLetterPage')),
      ...deadLetterErrors,
    },
  },
  'POST /api/dead-letters/:id/replay': {
    summary:
      'Republish a dead letter to logs_topic with its routing key and message id (confirmed), ' +
      'then remove it (admin)',
    parameters: parametersOf(requestParameters.deadLetterId, 'path'),
    responses: {
      '200': answer('Replayed and removed', ref('DeadLetterDone')),
      '404': deadLetterNotFound,
      '409': error('No queue is bound for its routing key; the dead letter stays'),
      ...deadLetterErrors,
    },
  },
  'DELETE /api/dead-letters/:id': {
    summary: 'Discard a dead letter (admin)',
    parameters: parametersOf(requestParameters.deadLetterId, 'path'),
    responses: {
      '200': answer('Discarded', ref('DeadLetterDone')),
      '404': deadLetterNotFound,
      ...deadLetterErrors,
    },
  },
};
