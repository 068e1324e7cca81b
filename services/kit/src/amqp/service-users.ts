import { QUEUE_POLICIES } from './queue-policies';
import { DEAD_LETTER_EXCHANGE, DEAD_LETTER_QUEUE, LISTENER_QUEUE, LOGS_EXCHANGE } from './topology';

/** RabbitMQ permissions: regular expressions over exchange and queue names, per operation. */
export interface Permissions {
  /** Declare / delete exchanges and queues. */
  configure: string;
  /** Publish to exchanges; bind a queue (write on the queue); declare a queue with a DLX. */
  write: string;
  /** Consume from queues; bind a queue to an exchange (read on the exchange). */
  read: string;
}

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (...names: string[]) => `^(${names.map(escape).join('|')})$`;
const NOTHING = '^$';
/** auth's revocation fanout (@micromesh/contracts REVOCATIONS_EXCHANGE) and each broker's queue on it. */
const REVOCATIONS = 'auth.revocations';
const REVOCATION_QUEUES = 'auth\\.revocations\\..+';

/**
 * One RabbitMQ user per service, each with only what it does (RabbitMQ checks these on declare,
 * bind, publish and consume):
 * - broker: declares and publishes to `logs_topic` (the `event` action, dead-letter replays); reads
 *   the dead-letter queue for the dead-letter admin API; declares, binds and consumes its own
 *   revocation queue `auth.revocations.<uuid>` on auth's `auth.revocations` fanout.
 * - auth: declares and publishes to `logs_topic` (login events) and `auth.revocations`.
 * - listener: declares its queue, the dead-letter exchange and queue, binds them (read on the
 *   exchanges, write on the queues), consumes its queue; declaring a queue with a DLX needs write
 *   on the DLX.
 * - mail: its own `mail` exchange, outbox and retry queues, nothing else.
 * The logger and the front-end do not use RabbitMQ.
 */
export const SERVICE_PERMISSIONS = {
  broker: {
    configure: `^(${escape(LOGS_EXCHANGE)}|${escape(REVOCATIONS)}|${REVOCATION_QUEUES})$`,
    write: `^(${escape(LOGS_EXCHANGE)}|${REVOCATION_QUEUES})$`,
    read: `^(${escape(DEAD_LETTER_QUEUE)}|${escape(REVOCATIONS)}|${REVOCATION_QUEUES})$`,
  },
  auth: {
    configure: exactly(LOGS_EXCHANGE, REVOCATIONS),
    write: exactly(LOGS_EXCHANGE, REVOCATIONS),
    read: NOTHING,
  },
  listener: {
    configure: exactly(LOGS_EXCHANGE, DEAD_LETTER_EXCHANGE, LISTENER_QUEUE, DEAD_LETTER_QUEUE),
    write: exactly(LISTENER_QUEUE, DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE),
    read: exactly(LOGS_EXCHANGE, DEAD_LETTER_EXCHANGE, LISTENER_QUEUE),
  },
  mail: {
    configure: '^mail(\\..+)?$',
    write: '^mail(\\..+)?$',
    read: '^mail(\\..+)?$',
  },
} as const satisfies Record<string, Permissions>;

export type AmqpService = keyof typeof SERVICE_PERMISSIONS;
export const AMQP_SERVICES = Object.keys(SERVICE_PERMISSIONS) as AmqpService[];

export interface ProvisionOptions {
  /** RabbitMQ management API base, e.g. http://127.0.0.1:15672/api */
  managementUrl: string;
  /** An administrator of the management API. */
  admin: { user: string; password: string };
  vhost: string;
  /** Each service's user name and password. */
  users: Record<AmqpService, { user: string; password: string }>;
}

/**
 * Creates (or updates) every service's user with its password, no tags (no management access),
 * and its permissions on the vhost, through the management HTTP API. Idempotent: PUT replaces.
 */
export async function provisionServiceUsers(options: ProvisionOptions): Promise<void> {
  const call = managementCall(options);
  const vhost = encodeURIComponent(options.vhost);
  for (const service of AMQP_SERVICES) {
    const { user, password } = options.users[service];
    const name = encodeURIComponent(user);
    await call('PUT', `/users/${name}`, { password, tags: '' });
    await call('PUT', `/permissions/${vhost}/${name}`, SERVICE_PERMISSIONS[service]);
  }
}

/**
 * Sets the mesh's queue policies (QUEUE_POLICIES) on the vhost through the management API.
 * Idempotent: PUT replaces a policy of the same name; a queue that exists already takes it at once.
 */
export async function applyQueuePolicies(
  options: Pick<ProvisionOptions, 'managementUrl' | 'admin' | 'vhost'>,
): Promise<void> {
  const call = managementCall(options);
  const vhost = encodeURIComponent(options.vhost);
  for (const { name, ...policy } of QUEUE_POLICIES) {
    await call('PUT', `/policies/${vhost}/${encodeURIComponent(name)}`, policy);
  }
}

/** Deletes the service users (test meshes make their own per vhost). */
export async function removeServiceUsers(options: Omit<ProvisionOptions, 'vhost'>): Promise<void> {
  const call = managementCall(options);
  for (const service of AMQP_SERVICES) {
    await call('DELETE', `/users/${encodeURIComponent(options.users[service].user)}`);
  }
}

function managementCall(options: Pick<ProvisionOptions, 'managementUrl' | 'admin'>) {
  const auth = Buffer.from(`${options.admin.user}:${options.admin.password}`).toString('base64');
  return async (method: string, path: string, body?: unknown): Promise<void> => {
    const res = await fetch(`${options.managementUrl}${path}`, {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
      throw new Error(`RabbitMQ management ${method} ${path} → ${res.status} ${await res.text()}`);
    }
  };
}
