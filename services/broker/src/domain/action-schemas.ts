import {
  HANDLE_ACTIONS,
  logEntryInputSchema,
  mailRequestSchema,
  type HandleAction,
} from '@micromesh/contracts';
import { z } from 'zod';

/**
 * The request shapes of the reference front-end (`{"action": "...", "<action>": {...}}`), kept
 * valid; fields the reference never sent are optional. Unknown fields are ignored, as the
 * reference broker did. The log and event fields are @micromesh/contracts' own schemas, so what
 * passes here every store can hold.
 */
export const authPayloadSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(256),
});

const entry = logEntryInputSchema.shape;

export const logPayloadSchema = z.object({
  name: entry.name,
  data: entry.data,
  level: entry.level,
  metadata: entry.metadata,
});

export const eventPayloadSchema = z.object({
  name: entry.name,
  data: entry.data,
  level: entry.level,
});

/** The mail service's own request schema (one object, one set of limits): what passes here, mail accepts. */
export const mailPayloadSchema = mailRequestSchema;

export type AuthPayload = z.infer<typeof authPayloadSchema>;
export type LogPayload = z.infer<typeof logPayloadSchema>;
export type EventPayload = z.infer<typeof eventPayloadSchema>;
export type MailPayload = z.infer<typeof mailPayloadSchema>;

/** The actions of POST /handle: the contract's list, which its access table covers row by row. */
export const ACTIONS = HANDLE_ACTIONS;
export type ActionName = HandleAction;

export const actionEnvelopeSchema = z.object({ action: z.string().max(64) });

export function isKnownAction(action: string): action is ActionName {
  return (ACTIONS as readonly string[]).includes(action);
}
