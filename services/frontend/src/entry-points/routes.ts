import type { Express } from 'express';

/** What the browser app needs to know at start-up (see web/src/runtime-config.ts). */
export interface RuntimeConfig {
  brokerUrl: string;
}

export function mountRoutes(app: Express, runtime: RuntimeConfig): void {
  app.get('/config.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(runtime);
  });
}
