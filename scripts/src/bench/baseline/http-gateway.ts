/**
 * The naive baseline's gateway: express → one gRPC WriteLog per request. No auth, no rate limits,
 * no metrics, no logs. Env: BASELINE_HTTP_PORT, BASELINE_GRPC_ADDRESS.
 */
import * as grpc from '@grpc/grpc-js';
import express from 'express';
import { loadReferenceLogService } from './reference-proto';

interface WriteLogClient {
  WriteLog(
    request: { logEntry: { name?: string; data?: string } },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null) => void,
  ): void;
}

const { Client } = loadReferenceLogService();
// proto-loader clients are untyped; this is the one method the baseline calls.
const client = new Client(
  process.env.BASELINE_GRPC_ADDRESS ?? '127.0.0.1:50051',
  grpc.credentials.createInsecure(),
) as unknown as WriteLogClient;
const app = express();
app.use(express.json());
app.get('/readyz', (_req, res) => {
  res.json({ error: false, message: 'ready' });
});
app.post('/log', (req, res) => {
  const body = req.body as { name?: string; data?: string };
  client.WriteLog(
    { logEntry: { name: body.name, data: body.data } },
    { deadline: Date.now() + 5_000 },
    (err: grpc.ServiceError | null) => {
      if (err) res.status(503).json({ error: true, message: 'logger unavailable' });
      else res.status(202).json({ error: false, message: 'logged' });
    },
  );
});
const server = app.listen(Number(process.env.BASELINE_HTTP_PORT ?? 0), '127.0.0.1', () => {
  console.log('baseline gateway ready');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
