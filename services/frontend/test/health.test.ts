import request from 'supertest';
import { captureLogs } from '@micromesh/kit/testing';
import { startFrontend } from '../src/app';
import { loadFrontendConfig } from '../src/config';

describe('frontend health', () => {
  const { logger } = captureLogs('frontend', 'silent');
  let service: Awaited<ReturnType<typeof startFrontend>>;

  beforeAll(async () => {
    service = await startFrontend(loadFrontendConfig({ PORT: '0' }), { logger });
  });
  afterAll(() => service.stop());

  it('When the frontend service is up, then /livez and /readyz answer 200', async () => {
    const http = request(service.address.url);
    expect((await http.get('/livez')).status).toBe(200);
    expect((await http.get('/readyz')).status).toBe(200);
  });
});
