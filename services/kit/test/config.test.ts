import { z } from 'zod';
import { ConfigError, baseEnvShape, env, loadConfig } from '@micromesh/kit';

const schema = z.object({
  ...baseEnvShape,
  PORT: env.port(8080),
  DATABASE_URL: z.url(),
  FEATURE_ON: env.bool(false),
});

describe('loadConfig', () => {
  it('When a required variable is missing, then the one-line error names it', () => {
    const attempt = () => loadConfig(schema, {});
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('invalid configuration: DATABASE_URL is required');
  });

  it('When a variable is malformed, then the error names it and says why', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { DATABASE_URL: 'postgres://x/y', PORT: 'eighty' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.variables).toEqual(['PORT']);
    expect(error.message).toMatch(/^invalid configuration: PORT: /);
    expect(error.message).not.toContain('\n');
  });

  it('When the environment is valid, then values are typed, defaulted and frozen', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgres://u@h/db',
      PORT: '9000',
      FEATURE_ON: 'true',
      LOG_LEVEL: '',
    });
    expect(config.PORT).toBe(9000);
    expect(config.FEATURE_ON).toBe(true);
    expect(config.LOG_LEVEL).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });
});
