import { ok } from '@micromesh/kit';
import type { Express } from 'express';
import type { TraceService } from '../../domain/trace-service';
import { nonEmptyParams } from './query-params';

/** GET /traces (recent or slowest traces) and GET /traces/:traceId (spans and logs). */
export function mountTraceRoutes(app: Express, traces: TraceService): void {
  app.get('/traces', async (req, res) => {
    res.json(ok('traces', await traces.list(nonEmptyParams(req.query))));
  });

  app.get('/traces/:traceId', async (req, res) => {
    res.json(ok('trace', await traces.trace(req.params.traceId)));
  });
}
