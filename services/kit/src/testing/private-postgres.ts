import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './service-process';

const run = promisify(execFile);
const PG_LIB = '/usr/lib/postgresql';

export interface PrivatePostgres {
  /** postgres:// URL of `database` on this server (trust auth, loopback only). */
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when this resolves. */
  restart(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

async function binDir(): Promise<string> {
  const versions = (await readdir(PG_LIB)).filter((v) => /^\d+$/.test(v)).sort((a, b) => +a - +b);
  const newest = versions.at(-1);
  if (!newest)
    throw new Error(`no PostgreSQL under ${PG_LIB} (scripts/up's bootstrap installs it)`);
  return path.join(PG_LIB, newest, 'bin');
}

/**
 * A PostgreSQL server of the caller's own (own data directory, port and socket directory under a
 * temp dir), so a fault test can restart PostgreSQL without touching the shared server that
 * everything else uses. initdb refuses to run as root, so as root it runs as `postgres`.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await binDir();
  const dir = await mkdtemp(path.join(tmpdir(), 'private-postgres-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args], { cwd: dir })
      : run(path.join(bin, tool), args, { cwd: dir });
  const user = 'private';
  await pg('initdb', ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const ctl = (...args: string[]) =>
    pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', ...args]);
  await ctl('start');

  const url = (database = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${database}`;
  return {
    url,
    async createDatabase(name) {
      const client = new Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async restart() {
      await ctl('-m', 'fast', 'restart');
    },
    async destroy() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
