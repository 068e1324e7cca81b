import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@micromesh/kit/testing';
import { ADMIN, startTestMesh, type TestMesh } from './support/test-mesh';

const CLI = path.resolve(__dirname, '..', '..', 'services', 'cli', 'dist', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The real `micromesh` binary, as a child process, against a real mesh (the e2e launcher).
describe('the micromesh CLI', () => {
  let mesh: TestMesh;
  let configDir: string;

  const env = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    MICROMESH_CONFIG_DIR: configDir,
    MICROMESH_URL: mesh.brokerUrl,
    NO_COLOR: '1',
    ...extra,
  });

  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: env(options.env) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });

  /** The token the login test stored (the session file the CLI keeps). */
  const token = async () =>
    (
      JSON.parse(await readFile(path.join(configDir, 'session.json'), 'utf8')) as {
        access_token: string;
      }
    ).access_token;

  beforeAll(async () => {
    mesh = await startTestMesh('e2e_cli');
    configDir = await mkdtemp(path.join(tmpdir(), 'micromesh-cli-'));
  }, 150_000);
  afterAll(async () => {
    await mesh?.stop();
    await rm(configDir, { recursive: true, force: true });
  }, 60_000);

  it('When logging in with --password-stdin, then the token is kept in a 0600 file and whoami names the user', async () => {
    const login = await cli(['login', '--email', ADMIN.email, '--password-stdin'], {
      input: ADMIN.password,
    });
    expect(login).toMatchObject({ code: 0 });
    expect(login.stdout).toContain(`logged in to ${mesh.brokerUrl} as ${ADMIN.email}`);
    const file = await stat(path.join(configDir, 'session.json'));
    expect(file.mode & 0o777).toBe(0o600);

    const who = await cli(['whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ email: ADMIN.email, role: 'admin' });
  });

  it('When the password is wrong, then login says so in one line and exits 3', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'micromesh-cli-'));
    const res = await cli(['login', '--email', ADMIN.email, '--password-stdin'], {
      input: 'not-the-password',
      env: { MICROMESH_CONFIG_DIR: other },
    });
    await rm(other, { recursive: true, force: true });
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('invalid credentials');
    expect(res.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack trace
  });

  it('When each action is sent, then each is accepted and the log and the event are found with `logs --json`', async () => {
    const marker = `cli${randomUUID().replace(/-/g, '')}`;
    const log = await cli([
      'send',
      'log',
      '-n',
      'cli',
      '-d',
      `${marker} log`,
      '-k',
      `${marker}-log`,
    ]);
    const event = await cli([
      'send',
      'event',
      '-n',
      'cli',
      '-d',
      `${marker} event`,
      '-l',
      'WARNING',
    ]);
    const mail = await cli(['send', 'mail', '-t', 'you@example.com', '-s', marker, '-b', 'hello']);
    for (const r of [log, event, mail]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^✓ 202 /);
    }
    const entries = await waitFor(
      async () => {
        const res = await cli(['logs', '--json', '--text', marker]);
        const parsed = JSON.parse(res.stdout) as { entries: { data: string }[] };
        return parsed.entries.length === 2 ? parsed.entries : undefined;
      },
      { timeoutMs: 20_000, what: 'the log and the event stored' },
    );
    expect(entries.map((e) => e.data).sort()).toEqual([`${marker} event`, `${marker} log`]);
  });

  it('When a stored log holds terminal escapes (OSC 52 clipboard, erase line), then `logs` and `logs --follow` print them escaped, and `--json` gives the exact text', async () => {
    const marker = `esc${randomUUID().replace(/-/g, '')}`;
    const hostile = `${marker} ok\u001b]52;c;Y3VybCBldmlsIHwgc2gK\u0007\r\u001b[2Kforged line`;
    const child = spawn(process.execPath, [CLI, 'logs', '--follow', '--text', marker], {
      env: env(),
    });
    let followed = '';
    let followErr = '';
    child.stdout.on('data', (c: Buffer) => (followed += c.toString()));
    child.stderr.on('data', (c: Buffer) => (followErr += c.toString()));
    try {
      await waitFor(() => followErr.includes('following'), {
        timeoutMs: 15_000,
        what: 'the tail open',
      });
      // Sent as any `logs:write` caller sends it: the broker's JSON API, not the CLI's flags.
      const sent = await fetch(`${mesh.brokerUrl}/handle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
        body: JSON.stringify({ action: 'log', log: { name: 'login\u001b[8m', data: hostile } }),
      });
      expect(sent.status).toBe(202);
      await waitFor(() => followed.includes(marker), { timeoutMs: 20_000, what: 'the tail line' });
    } finally {
      child.kill('SIGINT');
    }
    const table = await cli(['logs', '--text', marker]);
    const json = await cli(['logs', '--json', '--text', marker]);

    for (const out of [followed, table.stdout]) {
      expect(out).toContain(marker);
      // eslint-disable-next-line no-control-regex -- no raw control character may reach the terminal
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(out).toContain('\\x1b]52;c;');
    }
    expect(followed).toContain('\\x07\\x0d\\x1b[2Kforged line');
    const stored = (JSON.parse(json.stdout) as { entries: { data: string }[] }).entries;
    expect(stored.map((e) => e.data)).toEqual([hostile]);
  });

  it('When `logs --follow` runs, then an event sent after it started is printed', async () => {
    const marker = `follow${randomUUID().replace(/-/g, '')}`;
    const child = spawn(process.execPath, [CLI, 'logs', '--follow', '--text', marker], {
      env: env(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      await waitFor(() => stderr.includes('following'), {
        timeoutMs: 15_000,
        what: 'the tail open',
      });
      const sent = await cli(['send', 'event', '-n', 'followed', '-d', `${marker} after`]);
      expect(sent.code).toBe(0);
      await waitFor(() => stdout.includes(`${marker} after`), {
        timeoutMs: 20_000,
        what: 'the event printed',
      });
      expect(stdout).toMatch(/INFO\s+\S+\s+followed/);
    } finally {
      child.kill('SIGINT');
    }
  });

  it('When health runs against a ready mesh, then every service is listed ready and it exits 0', async () => {
    const res = await cli(['health']);
    expect(res.code).toBe(0);
    for (const name of ['auth', 'logger', 'mail', 'listener'])
      expect(res.stdout).toMatch(new RegExp(`${name}\\s+ready`));
    const json = await cli(['health', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ready: true });
  });

  it('When a key is created, listed and revoked, then the list shows it revoked', async () => {
    const created = await cli(['keys', 'create', '-n', 'cli-test', '--json']);
    expect(created.code).toBe(0);
    const { api_key } = JSON.parse(created.stdout) as { api_key: { id: string } };
    const listed = await cli(['keys', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((k) => k.id)).toContain(api_key.id);
    const revoked = await cli(['keys', 'revoke', api_key.id]);
    expect(revoked.code).toBe(0);
    const after = await cli(['keys', 'list']);
    expect(after.stdout).toMatch(new RegExp(`${api_key.id}.*revoked`));
  });

  it('When dead letters are listed, then the count is printed (and --json parses)', async () => {
    const res = await cli(['dlq', 'list']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d+ dead letters?/);
    expect(JSON.parse((await cli(['dlq', 'list', '--json'])).stdout)).toHaveProperty('count');
  });

  it('When NO_COLOR is set, then there are no escape codes even where colour is forced', async () => {
    const coloured = await cli(['health'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain('\x1b[');
    const plain = await cli(['health'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\x1b[');
  });

  it('When the stored token has expired, then a command says to log in again and exits 3', async () => {
    const expiredDir = await mkdtemp(path.join(tmpdir(), 'micromesh-cli-'));
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${part({ alg: 'EdDSA' })}.${part({ sub: 'x', exp: Math.floor(Date.now() / 1000) - 60 })}.sig`;
    await writeFile(
      path.join(expiredDir, 'session.json'),
      JSON.stringify({ broker: mesh.brokerUrl, email: ADMIN.email, access_token: token }),
      { mode: 0o600 },
    );
    const res = await cli(['logs'], { env: { MICROMESH_CONFIG_DIR: expiredDir } });
    await rm(expiredDir, { recursive: true, force: true });
    expect(res.code).toBe(3);
    expect(res.stderr).toBe('error: your session has expired: run `micromesh login` again\n');
  });

  it('When a flag is unknown, then it is a usage error (exit 2)', async () => {
    const res = await cli(['logs', '--no-such-flag']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('When the broker cannot be reached, then the command says so and exits 4', async () => {
    const res = await cli(['health', '--broker', 'http://127.0.0.1:9']);
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/^error: cannot reach the broker at http:\/\/127\.0\.0\.1:9/);
  });
});
