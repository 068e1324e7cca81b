import { type z } from 'zod';
import { AppError, type ErrorDetail } from './app-error';

/** Turns zod issues into the envelope's `details`. */
export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
}

/** Parses untrusted input or throws a 400 AppError that lists every problem. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  message = 'invalid request',
): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw AppError.badRequest(message, zodDetails(result.error));
  return result.data;
}
