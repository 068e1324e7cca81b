import { runWithRequestContext } from '@micromesh/kit';
import { captureLogs } from '@micromesh/kit/testing';

describe('createLogger', () => {
  it('When a log call carries credentials, then they are redacted', () => {
    const { logger, lines } = captureLogs('kit-test');
    logger.info(
      {
        password: 'hunter22',
        user: { email: 'a@b.c', password_hash: '$2b$12$x' },
        headers: { authorization: 'Bearer abc', 'x-api-key': 'mmk_secret', accept: 'json' },
      },
      'careless',
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/hunter22|\$2b\$12|Bearer abc|mmk_secret/);
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      user: { email: 'a@b.c', password_hash: '[redacted]' },
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' },
    });
  });

  it('When logging inside a request context, then the line carries the service and reqId', () => {
    const { logger, lines } = captureLogs('kit-test');
    runWithRequestContext({ requestId: 'req-42' }, () => logger.warn('inside'));
    logger.warn('outside');
    expect(lines[0]).toMatchObject({ service: 'kit-test', reqId: 'req-42', level: 'warn' });
    expect(lines[1]).not.toHaveProperty('reqId');
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
