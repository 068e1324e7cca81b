import { ok } from '@micromesh/kit';
import type { Express } from 'express';
import { openApiDocument } from './openapi';

/** The public answers that need no service behind: the reference's `POST /`, `GET /ping`, and the API description. */
export function mountRootRoutes(app: Express): void {
  app.post('/', (_req, res) => {
    res.json(ok('Hit the broker'));
  });
  app.get('/ping', (_req, res) => {
    res.json(ok('pong'));
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
}
