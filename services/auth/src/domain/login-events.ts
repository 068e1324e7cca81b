import type { Role } from './user';

export interface LoggedInUser {
  id: string;
  role: Role;
}

/**
 * Where a successful login is announced. Fire and forget: implementations must never make the
 * login wait or fail. The announcement names the user by id only: it is stored in the log store
 * for its retention and read by whoever holds `logs:read`, so it carries no email and no address.
 */
export interface LoginEvents {
  userLoggedIn(user: LoggedInUser): void;
}

/** Used when no RabbitMQ is configured. */
export const noLoginEvents: LoginEvents = { userLoggedIn: () => undefined };
