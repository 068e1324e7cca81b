// Bundles the browser app (web/) into dist/public: app.js + app.css from TypeScript and CSS,
// plus the static files. Everything is local: no CDN, no web fonts.
//   node bundle.mjs [outdir]
// MICROMESH_DEV_BUILD=1 (scripts/up, scripts/test) makes a dev build: the sign-in form comes
// prefilled with AUTH_SEED_ADMIN_EMAIL / AUTH_SEED_ADMIN_PASSWORD. Any other build (the Docker
// image) carries no credentials at all.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] ?? path.join(here, 'dist', 'public'));

const dev = process.env.MICROMESH_DEV_BUILD === '1';
const devCredentials =
  dev && process.env.AUTH_SEED_ADMIN_EMAIL && process.env.AUTH_SEED_ADMIN_PASSWORD
    ? { email: process.env.AUTH_SEED_ADMIN_EMAIL, password: process.env.AUTH_SEED_ADMIN_PASSWORD }
    : null;

mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { app: path.join(here, 'web', 'src', 'main.ts') },
  bundle: true,
  outdir,
  format: 'iife',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  define: { __DEV_CREDENTIALS__: JSON.stringify(devCredentials) },
  logLevel: 'warning',
});
for (const file of ['index.html', 'favicon.svg']) {
  copyFileSync(path.join(here, 'web', file), path.join(outdir, file));
}
