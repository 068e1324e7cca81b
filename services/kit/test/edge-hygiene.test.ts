import request from 'supertest';
import {
  clientAddressKey,
  createServiceContext,
  startHttpService,
  type StartedHttpService,
} from '@micromesh/kit';
import { formatScopes, intersectScopes, parseScopes, scopesOfRole } from '@micromesh/contracts';
import { captureLogs } from '@micromesh/kit/testing';

describe('kit edge hygiene', () => {
  describe('clientAddressKey (rate-limit identity)', () => {
    it('When two IPv6 addresses share a /64, then they share one key; another /64 gets another', () => {
      expect(clientAddressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
      expect(clientAddressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
      expect(clientAddressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
      expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
      expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    });

    it('When the address is IPv4 or IPv4-mapped, then it is kept whole', () => {
      expect(clientAddressKey('198.51.100.7')).toBe('198.51.100.7');
      expect(clientAddressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
      expect(clientAddressKey(undefined)).toBe('unknown');
    });
  });

  describe('scopes', () => {
    it('When a scope claim is parsed, then unknown words are dropped and the order is canonical', () => {
      expect(parseScopes('mail:send root logs:write')).toEqual(['logs:write', 'mail:send']);
      expect(formatScopes(scopesOfRole('user'))).toBe('logs:write events:publish mail:send');
      expect(intersectScopes(['logs:read', 'logs:write'], scopesOfRole('user'))).toEqual([
        'logs:write',
      ]);
    });
  });

  describe('service started with METRICS_PORT', () => {
    let service: StartedHttpService;
    beforeAll(async () => {
      const logs = captureLogs('kit-metrics', 'silent');
      const ctx = createServiceContext(
        'kit-metrics',
        { LOG_LEVEL: 'silent', SHUTDOWN_DELAY_MS: 0, METRICS_PORT: 0 },
        { logger: logs.logger },
      );
      service = await startHttpService(ctx, {
        port: 0,
        host: '127.0.0.1',
        routes: (app) => {
          app.post('/echo', (req, res) => {
            res.json({ error: false, message: 'ok', data: req.body as unknown });
          });
        },
      });
    });
    afterAll(() => service.stop());

    it('When /metrics is asked on the public port, then 404; on the metrics port, then 200', async () => {
      const publicPort = await request(service.address.url).get('/metrics');
      const internal = await request(service.metricsUrl).get('/metrics');

      expect(service.metricsUrl).not.toBe(service.address.url);
      expect(publicPort.status).toBe(404);
      expect(internal.status).toBe(200);
      expect(internal.text).toContain('http_request_duration_seconds');
    });

    it('When a body nests 49,000 levels deep, then 400 names the limit (not 500)', async () => {
      const deep = `{"m":${'['.repeat(49_000)}${']'.repeat(49_000)}}`;

      const res = await request(service.address.url)
        .post('/echo')
        .set('content-type', 'application/json')
        .send(deep);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: true, message: 'JSON body nested deeper than 64 levels' });
    });

    it('When a body nests 64 levels, then it is accepted', async () => {
      const ok = `${'['.repeat(64)}${']'.repeat(64)}`;

      const res = await request(service.address.url)
        .post('/echo')
        .set('content-type', 'application/json')
        .send(ok);

      expect(res.status).toBe(200);
    });
  });
});
