/**
 * The Moleculer peer's logger node: one `logger.write` action that runs one
 * `INSERT … ON CONFLICT DO NOTHING` per call into its own table and answers after it.
 * Env: PEER_PG_URL, PEER_GATEWAY_TCP_PORT, PEER_LOGGER_TCP_PORT.
 */
import { type Context, ServiceBroker } from 'moleculer';
import { Pool } from 'pg';
import { LOGGER_NODE, peerBrokerOptions } from './transporter';

interface WriteParams {
  event_id: string;
  name: string;
  data: string;
  level: string;
  metadata?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.PEER_PG_URL, max: 10 });
  await pool.query(
    `CREATE TABLE IF NOT EXISTS peer_logs (
       event_id uuid PRIMARY KEY, name text NOT NULL, data text NOT NULL, level text NOT NULL,
       metadata jsonb, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const broker = new ServiceBroker(peerBrokerOptions(LOGGER_NODE));
  broker.createService({
    name: 'logger',
    actions: {
      async write(ctx: Context<WriteParams>) {
        const p = ctx.params;
        await pool.query(
          'INSERT INTO peer_logs (event_id, name, data, level, metadata) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
          [p.event_id, p.name, p.data, p.level, p.metadata ?? null],
        );
        return { event_id: p.event_id };
      },
    },
  });
  await broker.start();
  console.log('peer logger node ready');
  process.once('SIGTERM', () => {
    void broker
      .stop()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
