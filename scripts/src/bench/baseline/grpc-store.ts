/**
 * The naive baseline's store: a gRPC server whose WriteLog does one INSERT per call. No batching,
 * no validation, no middleware — the floor every micromesh figure is compared against.
 * Env: BASELINE_PG_URL, BASELINE_GRPC_PORT.
 */
import * as grpc from '@grpc/grpc-js';
import { Pool } from 'pg';
import { loadReferenceLogService } from './reference-proto';

interface WriteLogCall {
  logEntry?: { name?: string; data?: string };
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.BASELINE_PG_URL, max: 10 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS baseline_logs (id bigserial PRIMARY KEY, name text, data text, created_at timestamptz DEFAULT now())',
  );
  const { service } = loadReferenceLogService();
  const server = new grpc.Server();
  server.addService(service, {
    WriteLog(
      call: grpc.ServerUnaryCall<WriteLogCall, { result: string }>,
      callback: grpc.sendUnaryData<{ result: string }>,
    ) {
      const entry = call.request.logEntry ?? {};
      pool
        .query('INSERT INTO baseline_logs (name, data) VALUES ($1, $2)', [entry.name, entry.data])
        .then(
          () => callback(null, { result: 'logged' }),
          (err: Error) => callback({ code: grpc.status.UNAVAILABLE, details: err.message }),
        );
    },
  });
  const port = process.env.BASELINE_GRPC_PORT ?? '0';
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  console.log('baseline gRPC store ready');
  process.on('SIGTERM', () => {
    server.tryShutdown(() => void pool.end().then(() => process.exit(0)));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
