// Measures POST /authenticate latency at the configured bcrypt cost (default 12) against the real
// PostgreSQL, sequentially (one login at a time, so it is bcrypt's cost, not queueing).
// Usage (after `npx tsc -b services/auth`): node services/auth/bench/login-latency.mjs [count] [cost]
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { startAuth } = require('../dist/app.js');
const { loadAuthConfig } = require('../dist/config.js');
const { createTestDatabase, captureLogs } = require('@micromesh/kit/testing');

const count = Math.min(Number(process.argv[2] ?? 20), 200);
const cost = process.argv[3] ?? '12';
const admin = { email: 'admin@example.com', password: 'verysecret' };

const keysDir = await mkdtemp(path.join(tmpdir(), 'auth-bench-'));
const { privateKey } = generateKeyPairSync('ed25519');
await writeFile(
  path.join(keysDir, 'bench.pem'),
  privateKey.export({ type: 'pkcs8', format: 'pem' }),
);
const db = await createTestDatabase('auth_bench');
const auth = await startAuth(
  loadAuthConfig({
    PORT: '0',
    AUTH_DATABASE_URL: db.url,
    AUTH_JWT_KEYS_DIR: keysDir,
    AUTH_BCRYPT_COST: cost,
    AUTH_SEED_ADMIN_EMAIL: admin.email,
    AUTH_SEED_ADMIN_PASSWORD: admin.password,
    AUTH_LOGIN_MAX_FAILS_PER_EMAIL_IP: '1000',
    AUTH_LOGIN_MAX_FAILS_PER_IP: '1000',
  }),
  { logger: captureLogs('auth', 'silent').logger },
);

async function series(name, body, expected) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(`${auth.address.url}/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    times.push(performance.now() - started);
    if (res.status !== expected)
      throw new Error(`${name}: got ${res.status}, expected ${expected}`);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)].toFixed(0);
  console.log(`${name.padEnd(16)} n=${count} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${at(1)} ms`);
}

try {
  console.log(`bcrypt cost ${cost}, sequential logins`);
  await series('success', admin, 202);
  await series('wrong password', { ...admin, password: 'not-the-password' }, 401);
  await series('unknown email', { email: 'nobody@example.com', password: 'verysecret' }, 401);
} finally {
  await auth.stop();
  await db.drop();
  await rm(keysDir, { recursive: true, force: true });
}
