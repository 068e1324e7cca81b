import type { ErrorDetail } from '../errors/app-error';

/** Every JSON response of every service has this shape. */
export interface Envelope<T = unknown> {
  error: boolean;
  message: string;
  data?: T;
  details?: ErrorDetail[];
}

export function ok<T>(message: string, data?: T): Envelope<T> {
  return data === undefined ? { error: false, message } : { error: false, message, data };
}

export function fail(message: string, details?: ErrorDetail[]): Envelope<never> {
  return details?.length ? { error: true, message, details } : { error: true, message };
}
