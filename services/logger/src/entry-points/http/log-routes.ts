import { AppError, ok } from '@micromesh/kit';
import { nonEmptyParams } from './query-params';
import type { Express } from 'express';
import type { LogService } from '../../domain/log-service';

/** POST /log, POST /logs/bulk, GET /logs, GET /logs/:id — see the service README for shapes. */
export function mountLogRoutes(app: Express, service: LogService): void {
  // Reference contract: {name, data} → 202 "logged". Extended fields are optional.
  app.post('/log', async (req, res) => {
    const result = await service.writeOne(req.body);
    res.status(202).json(ok('logged', result));
  });

  app.post('/logs/bulk', async (req, res) => {
    const entries: unknown = (req.body as { entries?: unknown } | undefined)?.entries;
    if (!Array.isArray(entries)) {
      throw AppError.badRequest('invalid request', [
        { path: 'entries', message: 'an array of log entries is required' },
      ]);
    }
    res.status(202).json(ok('logged', await service.writeMany(entries)));
  });

  app.get('/logs', async (req, res) => {
    res.json(ok('logs', await service.query(nonEmptyParams(req.query))));
  });

  app.get('/logs/:id', async (req, res) => {
    res.json(ok('log entry', await service.get(req.params.id)));
  });
}
