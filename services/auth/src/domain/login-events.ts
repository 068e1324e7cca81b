import type { Role } from './user';

export interface LoggedInUser {
  id: string;
  email: string;
  role: Role;
}

/**
 * Where a successful login is announced. Fire and forget: implementations must never make the
 * login wait or fail.
 */
export interface LoginEvents {
  userLoggedIn(user: LoggedInUser, context: { ip: string }): void;
}

/** Used when no RabbitMQ is configured. */
export const noLoginEvents: LoginEvents = { userLoggedIn: () => undefined };
