import { ConfigError } from '@micromesh/kit';
import { loadBrokerConfig } from '../src/config';

const REQUIRED = {
  AMQP_URL: 'amqp://user:pass@127.0.0.1:5672',
  BROKER_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/micromesh_broker',
};

describe('broker config', () => {
  it('When AMQP_URL is missing, then start-up fails naming it (no default credentials)', () => {
    expect(() => loadBrokerConfig({ BROKER_DATABASE_URL: REQUIRED.BROKER_DATABASE_URL })).toThrow(
      'invalid configuration: AMQP_URL is required',
    );
  });

  it('When BROKER_DATABASE_URL is missing, then start-up fails naming it (idempotency records live there)', () => {
    expect(() => loadBrokerConfig({ AMQP_URL: REQUIRED.AMQP_URL })).toThrow(
      'invalid configuration: BROKER_DATABASE_URL is required',
    );
  });

  it('When nothing says otherwise, then Idempotency-Keys are kept 24 hours', () => {
    expect(loadBrokerConfig(REQUIRED).IDEMPOTENCY_TTL_HOURS).toBe(24);
  });

  it('When TRUST_PROXY is "true", then start-up fails: any client could pick its rate-limit IP', () => {
    expect(() => loadBrokerConfig({ ...REQUIRED, TRUST_PROXY: 'true' })).toThrow(ConfigError);
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['1', 1],
    ['10.0.0.0/8, 127.0.0.1', '10.0.0.0/8, 127.0.0.1'],
  ])('When TRUST_PROXY is %s, then express gets %s', (value, expected) => {
    expect(loadBrokerConfig({ ...REQUIRED, TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('When CORS_ORIGINS lists origins, then each becomes an exact allowlist entry', () => {
    const config = loadBrokerConfig({
      ...REQUIRED,
      CORS_ORIGINS: 'http://a.local:8081, http://b.local',
    });

    expect(config.CORS_ORIGINS).toEqual(['http://a.local:8081', 'http://b.local']);
  });
});
