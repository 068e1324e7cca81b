/**
 * `scripts/up` runs this after the native bootstrap: starts the mesh, prints where everything is,
 * and stops it all on Ctrl-C / SIGTERM. A second run while the mesh is up only prints the table.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { launchMesh, type Mesh } from './mesh/launcher';
import { settingsFromEnv, type MeshPorts } from './mesh/settings';

const root = path.resolve(__dirname, '..', '..');
/** Where a running mesh records itself; MICROMESH_RUN_DIR moves it (tests run a second mesh). */
const stateFile = path.join(process.env.MICROMESH_RUN_DIR || path.join(root, '.run'), 'mesh.json');

interface MeshState {
  pid: number;
  urls: { name: string; url: string }[];
  admin: { email: string; password: string };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function printTable(state: MeshState, title: string, footer: string): void {
  const width = Math.max(...state.urls.map((u) => u.name.length));
  console.log(`\n${title}\n`);
  for (const { name, url } of state.urls) console.log(`  ${name.padEnd(width)}  ${url}`);
  console.log(`\n  dev login  ${state.admin.email} / ${state.admin.password}`);
  console.log(`\n${footer}\n`);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as MeshState;
    if (alive(state.pid)) {
      printTable(
        state,
        `micromesh is already running (pid ${state.pid}):`,
        `Stop it with Ctrl-C in its terminal, or: kill ${state.pid}`,
      );
      return;
    }
    rmSync(stateFile);
  }

  const settings = settingsFromEnv(root);
  const busy: string[] = [];
  const ports: [string, number][] = Object.entries(settings.ports) as [keyof MeshPorts, number][];
  if (settings.ferretdb) {
    ports.push(
      ['ferretdb', settings.ferretdb.port],
      ['ferretdb debug', settings.ferretdb.debugPort],
    );
  }
  for (const [name, port] of ports) {
    if (await portInUse(port)) busy.push(`${name} (${port})`);
  }
  if (busy.length) {
    console.error(
      `These ports are already in use: ${busy.join(', ')}.\n` +
        'Stop what holds them, or move micromesh with MESH_<NAME>_PORT (see README "Ports").',
    );
    process.exitCode = 1;
    return;
  }

  // Ctrl-C or SIGTERM at any moment, starting included, stops every child and the SMTP sink.
  const starting = new AbortController();
  let launching: Promise<Mesh> | undefined;
  let mesh: Mesh | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping micromesh…`);
    starting.abort(); // a launch still under way stops what it started, then rejects
    const started = mesh ?? (await launching?.catch(() => undefined));
    await started?.stop();
    rmSync(stateFile, { force: true });
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    launching = launchMesh({
      settings,
      color: process.stdout.isTTY,
      supervise: true,
      abort: starting.signal,
    });
    mesh = await launching;
  } catch (err) {
    if (stopping) return; // stop() exits once the launcher has cleaned up
    throw err;
  }
  if (stopping) return;
  const state: MeshState = { pid: process.pid, urls: mesh.urls, admin: settings.seedAdmin };
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  printTable(
    state,
    'micromesh is up:',
    'A service that crashes is restarted (with backoff; given up after repeated crashes).\n' +
      'Ctrl-C stops everything.',
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
