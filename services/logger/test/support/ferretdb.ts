import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, repoRoot, waitFor } from '@micromesh/kit/testing';
import { MongoClient } from 'mongodb';

/** The FerretDB that scripts/lib/bootstrap.sh (ensure_ferretdb) builds into .tools/. */
export const FERRETDB_VERSION = '1.24.2';
/** FerretDB answers `hello` as the primary of this one-member replica set. */
export const FERRETDB_REPLICA_SET = 'rs0';

export function ferretDbBinary(): string {
  return path.join(repoRoot(), '.tools', `ferretdb-${FERRETDB_VERSION}`, 'bin', 'ferretdb');
}

export interface RunningFerretDb {
  /** mongodb:// URL without a database path. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A FerretDB of the test run's own: the MongoDB wire protocol over SQLite files in a temp dir, on
 * a free loopback port, telemetry off, presenting itself as the primary of a one-member replica
 * set (so replica-set connection strings work against it). Resolves once it answers `ping`.
 */
export async function startFerretDb(): Promise<RunningFerretDb> {
  const binary = ferretDbBinary();
  if (!existsSync(binary)) {
    throw new Error(
      `FerretDB ${FERRETDB_VERSION} is not built (${binary} is missing): run scripts/test once, or ` +
        `bash -c '. scripts/lib/bootstrap.sh; ensure_ferretdb' from the repository root`,
    );
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'micromesh-ferretdb-'));
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      `--repl-set-name=${FERRETDB_REPLICA_SET}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8192)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8192)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `mongodb://127.0.0.1:${port}/`;

  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      async () => {
        if (gone) throw new Error(`FerretDB exited at start:\n${output}`);
        const client = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
        try {
          await client.db('admin').command({ ping: 1 });
          return true;
        } catch {
          return false;
        } finally {
          await client.close();
        }
      },
      { timeoutMs: 30_000, what: `FerretDB on 127.0.0.1:${port}` },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid ?? 0, stop };
}
