import { ConfigError } from '@micromesh/kit';
import { loadBrokerConfig } from '../src/config';

describe('broker config', () => {
  it('When TRUST_PROXY is "true", then start-up fails: any client could pick its rate-limit IP', () => {
    expect(() => loadBrokerConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['1', 1],
    ['10.0.0.0/8, 127.0.0.1', '10.0.0.0/8, 127.0.0.1'],
  ])('When TRUST_PROXY is %s, then express gets %s', (value, expected) => {
    expect(loadBrokerConfig({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('When CORS_ORIGINS lists origins, then each becomes an exact allowlist entry', () => {
    const config = loadBrokerConfig({ CORS_ORIGINS: 'http://a.local:8081, http://b.local' });

    expect(config.CORS_ORIGINS).toEqual(['http://a.local:8081', 'http://b.local']);
  });
});
