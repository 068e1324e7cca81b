import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { captureLogs } from '@micromesh/kit/testing';
import { startFrontend } from '../src/app';
import { loadFrontendConfig } from '../src/config';

const BROKER_URL = 'http://broker.test:9999';

/** Parses a Content-Security-Policy header into directive → sources. */
function parseCsp(header: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name, sources);
  }
  return directives;
}

describe('frontend web app', () => {
  const { logger } = captureLogs('frontend', 'silent');
  let staticDir: string;
  let service: Awaited<ReturnType<typeof startFrontend>>;

  beforeAll(async () => {
    // The real bundle step, into a scratch folder: the test never depends on a stale build.
    staticDir = mkdtempSync(path.join(tmpdir(), 'frontend-bundle-'));
    execFileSync(process.execPath, [path.join(__dirname, '..', 'bundle.mjs'), staticDir], {
      env: { ...process.env, MICROMESH_DEV_BUILD: '' },
    });
    service = await startFrontend(
      loadFrontendConfig({ PORT: '0', BROKER_URL, STATIC_DIR: staticDir }),
      { logger },
    );
  });
  afterAll(async () => {
    await service.stop();
    rmSync(staticDir, { recursive: true, force: true });
  });

  describe('GET /', () => {
    it('When the page is requested, then the HTML that loads the local bundle is served', async () => {
      const res = await request(service.address.url).get('/');

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<script src="/app.js" defer></script>');
      expect(res.text).toContain('href="/app.css"');
      expect(res.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    });

    it('When the page is served, then its Content-Security-Policy allows only itself and the broker', async () => {
      const res = await request(service.address.url).get('/');

      const csp = parseCsp(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('connect-src')).toEqual(["'self'", BROKER_URL]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(res.headers['content-security-policy']).not.toMatch(/unsafe-(inline|eval)/);
    });

    it('When the page is served, then it contains no inline script or style to need an exception', async () => {
      const res = await request(service.address.url).get('/');

      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.text).not.toMatch(/<style[\s>]/);
      expect(res.text).not.toMatch(/\sstyle=/);
      expect(res.text).not.toMatch(/\son[a-z]+=/);
    });
  });

  describe('GET /app.js and /app.css', () => {
    it('When the bundle is requested, then the compiled script and stylesheet are served', async () => {
      const http = request(service.address.url);

      const js = await http.get('/app.js');
      const css = await http.get('/app.css');

      expect(js.status).toBe(200);
      expect(js.headers['content-type']).toMatch(/javascript/);
      expect(js.text).toContain('/config.json');
      expect(js.text).not.toContain(BROKER_URL);
      expect(css.status).toBe(200);
      expect(css.headers['content-type']).toMatch(/^text\/css/);
      expect(css.text).toContain('.log-row');
    });
  });

  describe('GET /config.json', () => {
    it('When the app asks for its settings, then it gets the broker URL from the environment, uncached', async () => {
      const res = await request(service.address.url).get('/config.json');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ brokerUrl: BROKER_URL });
      expect(res.headers['cache-control']).toBe('no-store');
    });
  });

  describe('unknown paths', () => {
    it('When a path matches no file or route, then the answer is the 404 envelope', async () => {
      const res = await request(service.address.url).get('/no/such/page');

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: true, message: 'no route for GET /no/such/page' });
    });
  });
});

describe('frontend configuration', () => {
  it('When BROKER_URL has a path prefix, then the app gets it whole and the CSP allows its origin', async () => {
    const { logger } = captureLogs('frontend', 'silent');
    const service = await startFrontend(
      loadFrontendConfig({ PORT: '0', BROKER_URL: 'https://edge.test/broker/' }),
      { logger },
    );
    try {
      const res = await request(service.address.url).get('/config.json');

      expect(res.body).toEqual({ brokerUrl: 'https://edge.test/broker' });
      expect(parseCsp(res.headers['content-security-policy']).get('connect-src')).toEqual([
        "'self'",
        'https://edge.test',
      ]);
    } finally {
      await service.stop();
    }
  });

  it('When BROKER_URL is not an http(s) URL, then loading the configuration fails naming it', () => {
    expect(() => loadFrontendConfig({ BROKER_URL: 'ftp://broker' })).toThrow(/BROKER_URL/);
  });

  describe('dev credentials', () => {
    const DEV = {
      AUTH_SEED_ADMIN_EMAIL: 'dev-admin@example.com',
      AUTH_SEED_ADMIN_PASSWORD: 'dev-only-pw-42',
    };
    const bundleWith = (env: Record<string, string>) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'frontend-bundle-'));
      execFileSync(process.execPath, [path.join(__dirname, '..', 'bundle.mjs'), dir], {
        env: { ...process.env, MICROMESH_DEV_BUILD: '', ...DEV, ...env },
      });
      const text =
        readFileSync(path.join(dir, 'app.js'), 'utf8') +
        readFileSync(path.join(dir, 'index.html'), 'utf8');
      rmSync(dir, { recursive: true, force: true });
      return text;
    };

    it('When the bundle is built without MICROMESH_DEV_BUILD, then neither the dev email nor password is in it', () => {
      const text = bundleWith({});

      expect(text).not.toContain(DEV.AUTH_SEED_ADMIN_PASSWORD);
      expect(text).not.toContain(DEV.AUTH_SEED_ADMIN_EMAIL);
      expect(text).not.toContain('verysecret');
    });

    it('When it is a dev build, then the sign-in form is prefilled with the dev admin', () => {
      const text = bundleWith({ MICROMESH_DEV_BUILD: '1' });

      expect(text).toContain(DEV.AUTH_SEED_ADMIN_PASSWORD);
      expect(text).toContain(DEV.AUTH_SEED_ADMIN_EMAIL);
    });
  });
});
