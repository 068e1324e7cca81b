/**
 * Where the test suites find the real PostgreSQL and RabbitMQ that scripts/up and scripts/test
 * start. Defaults match .env.example, so `pnpm jest` works after one bootstrap.
 */
export function infraEnv(env: Record<string, string | undefined> = process.env) {
  return {
    pg: {
      host: env.POSTGRES_HOST || '127.0.0.1',
      port: Number(env.POSTGRES_PORT || 5432),
      user: env.POSTGRES_USER || 'micromesh',
      password: env.POSTGRES_PASSWORD || 'micromesh-dev-password',
    },
    rabbit: {
      host: env.RABBITMQ_HOST || '127.0.0.1',
      port: Number(env.RABBITMQ_PORT || 5672),
      managementPort: Number(env.RABBITMQ_MANAGEMENT_PORT || 15672),
      user: env.RABBITMQ_USER || 'micromesh',
      password: env.RABBITMQ_PASSWORD || 'micromesh-dev-password',
    },
  };
}
