import request from 'supertest';
import { captureLogs } from '@micromesh/kit/testing';
import { startMail } from '../src/app';
import { loadMailConfig } from '../src/config';

describe('mail health', () => {
  const { logger } = captureLogs('mail', 'silent');
  let service: Awaited<ReturnType<typeof startMail>>;

  beforeAll(async () => {
    service = await startMail(loadMailConfig({ PORT: '0' }), { logger });
  });
  afterAll(() => service.stop());

  it('When the mail service is up, then /livez and /readyz answer 200', async () => {
    const http = request(service.address.url);
    expect((await http.get('/livez')).status).toBe(200);
    expect((await http.get('/readyz')).status).toBe(200);
  });
});
