import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { freePort } from './service-process';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export interface PrivateRabbitMq {
  /** amqp:// URL of the node's default vhost (guest, loopback only). */
  url: string;
  /** Graceful stop of the node (its data stays for restart()). */
  stop(): Promise<void>;
  /** Starts the node again on the same port and data directory. */
  start(): Promise<void>;
  /** `kill -9` of the node's Erlang VM: no goodbye to any client, nothing flushed. */
  kill(): Promise<void>;
  /** Stops the node and deletes its data directory. */
  destroy(): Promise<void>;
  output(): string;
}

/**
 * A RabbitMQ node of this test's own (own node name, ports, data and log directories under a temp
 * dir, no plugins), so a test can restart RabbitMQ without touching the shared broker others'
 * tests use. Needs Debian's rabbitmq-server installed (scripts/up's bootstrap installs it).
 */
export async function startPrivateRabbitMq(): Promise<PrivateRabbitMq> {
  const dir = await mkdtemp(path.join(tmpdir(), 'private-rabbitmq-'));
  const amqpPort = await freePort();
  const distPort = await freePort();
  const nodeName = `private-${randomBytes(4).toString('hex')}@localhost`;
  await writeFile(path.join(dir, 'enabled_plugins'), '[].\n');
  await writeFile(
    path.join(dir, 'rabbitmq.conf'),
    [`listeners.tcp.default = 127.0.0.1:${amqpPort}`, 'loopback_users.guest = true', ''].join('\n'),
  );
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // The Erlang cookie is written to $HOME: keep it (and everything else) in the temp dir.
    HOME: dir,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_PID_FILE: path.join(dir, 'rabbitmq.pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_PLUGINS_EXPAND_DIR: path.join(dir, 'plugins-expand'),
  };
  const url = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  let output = '';
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const accepts = async () => {
    try {
      const connection = await amqp.connect(url, { timeout: 2_000 });
      await connection.close();
      return true;
    } catch {
      return false;
    }
  };

  const start = async () => {
    const child = spawn(RABBITMQ_SERVER, [], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-32_768);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 90_000;
    while (!(await accepts())) {
      if (child.exitCode !== null) throw new Error(`private RabbitMQ exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`private RabbitMQ not up in 90 s:\n${output}`);
      await sleep(250);
    }
  };

  const stop = async () => {
    if (!server || server.exitCode !== null) return;
    // The beam process (pid file) stops gracefully on SIGTERM; the wrapper script exits with it.
    const pid = Number((await readFile(env.RABBITMQ_PID_FILE, 'utf8').catch(() => '')).trim());
    if (pid > 0) process.kill(pid, 'SIGTERM');
    else server.kill('SIGTERM');
    const forced = setTimeout(() => {
      try {
        if (pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      server?.kill('SIGKILL');
    }, 30_000);
    await exited;
    clearTimeout(forced);
  };

  const kill = async () => {
    if (!server || server.exitCode !== null) return;
    const pid = Number((await readFile(env.RABBITMQ_PID_FILE, 'utf8').catch(() => '')).trim());
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    server.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url,
    start,
    stop,
    kill,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    output: () => output,
  };
}
