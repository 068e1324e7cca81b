import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  createTestVhost,
  infraEnv,
  waitFor,
  type TestDatabase,
  type TestVhost,
} from '@micromesh/kit/testing';
import { freePorts } from '../src/mesh/free-ports';

const root = path.resolve(__dirname, '..', '..');
const UP = path.join(root, 'scripts', 'dist', 'up.js');

/** Every descendant of `pid` (Linux /proc), so the test can tell whether any outlived it. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let tasks: string[] = [];
    try {
      tasks = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/);
    } catch {
      return;
    }
    for (const t of tasks.filter(Boolean).map(Number)) {
      out.push(t);
      walk(t);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// scripts/up itself (its built entry, as the wrapper execs it), on free ports and its own
// databases, vhost and run directory, so it never meets a mesh the developer has running.
describe('scripts/up and signals', () => {
  const dbs: TestDatabase[] = [];
  let vhost: TestVhost;
  let runDir: string;
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('e2e-up');
    runDir = await mkdtemp(path.join(tmpdir(), 'mesh-run-'));
    for (const kind of ['auth', 'mail', 'logs', 'broker'])
      dbs.push(await createTestDatabase(`e2e_up_${kind}`));
  });
  afterAll(async () => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.allSettled([...dbs.map((d) => d.drop()), vhost.drop()]);
    await rm(runDir, { recursive: true, force: true });
  });

  async function startUp() {
    const [
      broker,
      frontend,
      auth,
      logger,
      loggerGrpc,
      mail,
      listener,
      smtp,
      smtpWeb,
      brokerMetrics,
    ] = await freePorts(10);
    const { pg, rabbit } = infraEnv();
    const [authDb, mailDb, logsDb, brokerDb] = dbs;
    const child = spawn(process.execPath, [UP], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        MICROMESH_RUN_DIR: runDir,
        POSTGRES_HOST: pg.host,
        POSTGRES_PORT: String(pg.port),
        POSTGRES_USER: pg.user,
        POSTGRES_PASSWORD: pg.password,
        AUTH_DATABASE: authDb?.name,
        MAIL_DATABASE: mailDb?.name,
        LOGS_DATABASE: logsDb?.name,
        BROKER_DATABASE: brokerDb?.name,
        RABBITMQ_HOST: rabbit.host,
        RABBITMQ_PORT: String(rabbit.port),
        RABBITMQ_USER: rabbit.user,
        RABBITMQ_PASSWORD: rabbit.password,
        RABBITMQ_VHOST: vhost.name,
        AUTH_BCRYPT_COST: '4',
        LOG_LEVEL: 'info',
        MESH_BROKER_PORT: String(broker),
        MESH_FRONTEND_PORT: String(frontend),
        MESH_AUTH_PORT: String(auth),
        MESH_LOGGER_PORT: String(logger),
        MESH_LOGGER_GRPC_PORT: String(loggerGrpc),
        MESH_MAIL_PORT: String(mail),
        MESH_LISTENER_PORT: String(listener),
        MESH_SMTP_PORT: String(smtp),
        MESH_SMTP_WEB_PORT: String(smtpWeb),
        MESH_BROKER_METRICS_PORT: String(brokerMetrics),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    return { child, exited, output: () => output, brokerPort: broker };
  }

  it('When scripts/up gets SIGTERM while the mesh is still starting, then it exits and no child outlives it', async () => {
    const up = await startUp();
    // Services are being spawned (the SMTP sink is up, at least one service has printed).
    await waitFor(() => /\b(auth|logger|mail)\s*│/.test(up.output()), {
      timeoutMs: 60_000,
      what: 'services starting',
    });
    expect(up.output()).not.toContain('micromesh is up');
    const children = descendants(up.child.pid ?? -1);
    expect(children.length).toBeGreaterThan(1);

    up.child.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    await waitFor(() => children.every((pid) => !alive(pid)), {
      timeoutMs: 20_000,
      what: 'every child of scripts/up gone',
    });
  }, 120_000);

  it('When scripts/up is SIGKILLed with the mesh running, then every service and the SMTP sink stop by themselves', async () => {
    const up = await startUp();
    await waitFor(() => up.output().includes('micromesh is up'), {
      timeoutMs: 90_000,
      what: 'the mesh up',
    });
    const children = descendants(up.child.pid ?? -1);
    expect(children.length).toBeGreaterThanOrEqual(7); // six services + the sink (and its wrapper)

    up.child.kill('SIGKILL');
    await up.exited;
    await waitFor(() => children.every((pid) => !alive(pid)), {
      timeoutMs: 25_000,
      what: 'every orphaned child gone',
    });
  }, 150_000);
});
