import type { LoginEvents } from './ports';

/** Used when no RabbitMQ is configured. */
export const noLoginEvents: LoginEvents = { userLoggedIn: () => undefined };
