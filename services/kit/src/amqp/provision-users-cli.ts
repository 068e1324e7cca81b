#!/usr/bin/env node
/**
 * Creates the per-service RabbitMQ users and their permissions, and sets the mesh's queue policies
 * (queue-policies.ts), through the management API:
 *
 *   RABBITMQ_MANAGEMENT_URL=http://rabbitmq:15672/api RABBITMQ_USER=… RABBITMQ_PASSWORD=… \
 *   RABBITMQ_BROKER_PASSWORD=… RABBITMQ_AUTH_PASSWORD=… RABBITMQ_LISTENER_PASSWORD=… \
 *   RABBITMQ_MAIL_PASSWORD=… node provision-users-cli.js
 *
 * Users are named `micromesh-<service>` (RABBITMQ_SERVICE_USER_PREFIX changes `micromesh-`);
 * RABBITMQ_VHOST defaults to `/`. scripts/lib/bootstrap.sh and the compose/k8s init jobs run it.
 */
import { QUEUE_POLICIES } from './queue-policies';
import {
  AMQP_SERVICES,
  applyQueuePolicies,
  provisionServiceUsers,
  type AmqpService,
} from './service-users';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const prefix = process.env.RABBITMQ_SERVICE_USER_PREFIX ?? 'micromesh-';
  const users = Object.fromEntries(
    AMQP_SERVICES.map((service) => [
      service,
      {
        user: `${prefix}${service}`,
        password: required(`RABBITMQ_${service.toUpperCase()}_PASSWORD`),
      },
    ]),
  ) as Record<AmqpService, { user: string; password: string }>;
  const target = {
    managementUrl: required('RABBITMQ_MANAGEMENT_URL').replace(/\/$/, ''),
    admin: { user: required('RABBITMQ_USER'), password: required('RABBITMQ_PASSWORD') },
    vhost: process.env.RABBITMQ_VHOST || '/',
  };
  await provisionServiceUsers({ ...target, users });
  await applyQueuePolicies(target);
  process.stdout.write(
    `RabbitMQ users: ${AMQP_SERVICES.map((s) => users[s].user).join(', ')} (least privilege); ` +
      `policies: ${QUEUE_POLICIES.map((p) => p.name).join(', ')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`provision-users: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
