import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from '@micromesh/kit';

/**
 * Serves the bundled web app. File names are not content-hashed, so browsers revalidate every
 * time (ETag makes that a cheap 304) instead of running a stale bundle after a deploy.
 */
export function mountStaticFiles(app: Express, dir: string, logger: Logger): void {
  if (!existsSync(path.join(dir, 'index.html'))) {
    logger.warn({ dir }, 'web app bundle not found; run `pnpm run bundle` in services/frontend');
  }
  app.use(
    express.static(dir, {
      index: 'index.html',
      fallthrough: true,
      redirect: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
}
