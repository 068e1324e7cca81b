/**
 * `scripts/up` runs this after the native bootstrap: starts the mesh, prints where everything is,
 * and stops it all on Ctrl-C / SIGTERM. A second run while the mesh is up only prints the table.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { launchMesh } from './mesh/launcher';
import { settingsFromEnv, type MeshPorts } from './mesh/settings';

const root = path.resolve(__dirname, '..', '..');
const stateFile = path.join(root, '.run', 'mesh.json');

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

  const mesh = await launchMesh({ settings, color: process.stdout.isTTY });
  const state: MeshState = { pid: process.pid, urls: mesh.urls, admin: settings.seedAdmin };
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  printTable(state, 'micromesh is up:', 'Ctrl-C stops everything.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping micromesh…`);
    await mesh.stop();
    rmSync(stateFile, { force: true });
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  for (const spec of mesh.specs) {
    void mesh.process(spec.name)?.exited.then((code) => {
      if (!stopping) console.error(`${spec.name} exited unexpectedly (${code})`);
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
