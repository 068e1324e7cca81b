import { LEVELS, routingKeyFor, type DeadLetter, type DeadLetterPage } from '@micromesh/contracts';
import type { Envelope } from '@micromesh/kit';
import { z } from 'zod';
import { documentNotes } from './json-schema';

/**
 * What the broker answers, as zod schemas. Unlike the requests, no handler parses these (the
 * answers are built in code, some relayed from auth and mail); the component tests check real
 * answers against them, and `satisfies` ties the shapes the broker builds to its own types.
 */
const accepted = <T extends z.ZodType>(data: T) =>
  z.object({ error: z.literal(false), message: z.string(), data });

const envelope = z.object({
  error: z.boolean(),
  message: z.string(),
  data: z.unknown().optional(),
}) satisfies z.ZodType<Envelope>;

const errorEnvelope = z.strictObject({
  error: z.literal(true),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
}) satisfies z.ZodType<Envelope>;

const mailStatus = z.strictObject({
  id: z.uuid(),
  status: z.enum(['queued', 'sent', 'failed']),
  attempts: z.number().int().min(0),
  lastError: z.string().nullable(),
  nextAttemptAt: z.iso.datetime({ offset: true }).nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  sentAt: z.iso.datetime({ offset: true }).nullable(),
});

const deadLetter = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  reason: z.string().register(documentNotes, {
    description:
      "The listener's reason (malformed, invalid, refused, retries_exhausted) or RabbitMQ's own " +
      '(delivery_limit, rejected); unknown when neither is recorded',
  }),
  detail: z
    .string()
    .nullable()
    .register(documentNotes, { description: "The refusing party's own words" }),
  routing_key: z.string(),
  message_id: z.string().nullable(),
  dead_lettered_at: z.iso.datetime({ offset: true }).nullable(),
  attempts: z.number().int().nullable(),
  preview: z
    .string()
    .register(documentNotes, { description: 'The start of the body (200 characters)' }),
}) satisfies z.ZodType<DeadLetter>;

export const responseBodies = {
  Envelope: envelope,
  ErrorEnvelope: errorEnvelope,
  AuthAccepted: accepted(
    z.object({
      user: z.object({ email: z.string() }),
      token: z.object({
        access_token: z.string(),
        token_type: z.literal('Bearer'),
        expires_in: z.number().int(),
      }),
    }),
  ),
  LogAccepted: accepted(z.object({ event_id: z.uuid() })),
  EventAccepted: accepted(
    z.object({ event_id: z.uuid(), routing_key: z.enum(LEVELS.map(routingKeyFor)) }),
  ),
  MailStatus: mailStatus,
  MailAccepted: accepted(mailStatus).register(documentNotes, {
    description:
      'The message is durably queued (status queued; on an Idempotency-Key replay, its current ' +
      'status). Poll GET /api/mail/{id}.',
  }),
  MailStatusPage: accepted(mailStatus),
  Health: accepted(
    z.object({
      ready: z.boolean(),
      services: z.record(
        z.string(),
        z.object({
          ok: z.boolean(),
          ms: z.number(),
          status: z.number().int().optional(),
          error: z.string().optional(),
        }),
      ),
    }),
  ),
  DeadLetter: deadLetter,
  DeadLetterPage: accepted(
    z.strictObject({
      count: z
        .number()
        .int()
        .min(0)
        .register(documentNotes, { description: 'All messages in the queue' }),
      items: z.array(deadLetter).register(documentNotes, { description: 'Oldest first' }),
    }) satisfies z.ZodType<DeadLetterPage>,
  ),
  DeadLetterDone: accepted(z.object({ id: z.string() })),
};
