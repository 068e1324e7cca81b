import request from 'supertest';
import { captureLogs } from '@micromesh/kit/testing';
import { startListener } from '../src/app';
import { loadListenerConfig } from '../src/config';

describe('listener health', () => {
  const { logger } = captureLogs('listener', 'silent');
  let service: Awaited<ReturnType<typeof startListener>>;

  beforeAll(async () => {
    service = await startListener(loadListenerConfig({ PORT: '0' }), { logger });
  });
  afterAll(() => service.stop());

  it('When the listener service is up, then /livez and /readyz answer 200', async () => {
    const http = request(service.address.url);
    expect((await http.get('/livez')).status).toBe(200);
    expect((await http.get('/readyz')).status).toBe(200);
  });
});
