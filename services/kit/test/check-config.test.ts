import { execFile } from 'node:child_process';
import path from 'node:path';

const FIXTURE = path.join(__dirname, 'fixtures', 'config-service.cjs');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the fixture service with exactly `env` (no inherited variables). */
function run(args: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [FIXTURE, ...args],
      { env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

describe('runMain --check-config', () => {
  test('When the environment is valid, then it prints one ok line with the kit settings (no URL), exits 0 and starts nothing', async () => {
    const outcome = await run(['--check-config'], {
      PROBE_URL: 'https://user:secret@example.test/',
      SHUTDOWN_DELAY_MS: '3000',
    });

    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toBe(
      'probe: configuration ok {"PORT":8123,"NODE_ENV":"development","LOG_LEVEL":"info","HOST":"127.0.0.1","SHUTDOWN_TIMEOUT_MS":10000,"SHUTDOWN_DELAY_MS":3000,"SHUTDOWN_DRAIN_MS":5000,"BODY_LIMIT":"100kb"}\n',
    );
  });

  test('When a variable is missing or invalid, then it prints one line naming each, exits 2 and starts nothing', async () => {
    const outcome = await run(['--check-config'], { PORT: 'eighty' });

    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(
      /^probe: invalid configuration: PORT: [^\n]+; PROBE_URL is required\n$/,
    );
  });

  test('When started without the flag on an invalid environment, then it prints the same one line and exits 1', async () => {
    const outcome = await run([], {});

    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toBe('probe: invalid configuration: PROBE_URL is required\n');
  });

  test('When started without the flag on a valid environment, then it starts', async () => {
    const outcome = await run([], { PROBE_URL: 'https://example.test/' });

    expect(outcome.stderr).toContain('started on 8123');
  });
});
