export interface ErrorDetail {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  /** The underlying error; logged, never sent to the client. */
  cause?: unknown;
  /** Field-level problems for validation errors; sent as `details`. */
  details?: ErrorDetail[];
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** A catastrophic error leaves the process in an unknown state: the process should exit. */
  catastrophic?: boolean;
}

/**
 * The one error type services throw on purpose. `message` is public: it is what the client reads
 * in the envelope, so it never holds internals; the cause carries those to the logs.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly details?: ErrorDetail[];
  readonly headers?: Record<string, string>;
  readonly catastrophic: boolean;

  constructor(
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
    this.headers = options.headers;
    this.catastrophic = options.catastrophic ?? false;
  }

  static badRequest(message: string, details?: ErrorDetail[]): AppError {
    return new AppError(400, message, { details });
  }
  static unauthorized(message = 'unauthorized'): AppError {
    return new AppError(401, message, { headers: { 'www-authenticate': 'Bearer' } });
  }
  static forbidden(message = 'forbidden'): AppError {
    return new AppError(403, message);
  }
  static notFound(message = 'not found'): AppError {
    return new AppError(404, message);
  }
  static conflict(message: string): AppError {
    return new AppError(409, message);
  }
  static tooManyRequests(retryAfterSeconds: number, message = 'too many requests'): AppError {
    return new AppError(429, message, {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
  static unavailable(message: string, cause?: unknown): AppError {
    return new AppError(503, message, { cause });
  }
  static gatewayTimeout(message: string, cause?: unknown): AppError {
    return new AppError(504, message, { cause });
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
