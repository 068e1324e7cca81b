import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths';

const run = promisify(execFile);

/** A container engine command line (e.g. podman with the runtime flags this machine needs). */
export interface Engine {
  command: string[];
  name: string;
}

/**
 * docker when its daemon answers; else podman with runc and cgroupfs (Debian's podman 4.3 here:
 * crun and the systemd cgroup manager do not work in this environment), when it can run a
 * container. null with the reason when neither can.
 */
export function findEngine(): { engine: Engine } | { reason: string } {
  const reasons: string[] = [];
  const docker = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
  });
  if (docker.status === 0) return { engine: { name: 'docker', command: ['docker'] } };
  reasons.push(`docker: ${firstLine(docker.stderr) || (docker.error?.message ?? 'no daemon')}`);
  const podman = ['podman', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
  const info = spawnSync(
    podman[0]!,
    [...podman.slice(1), 'info', '--format', '{{.Host.OCIRuntime.Name}}'],
    {
      encoding: 'utf8',
    },
  );
  if (info.status === 0) return { engine: { name: 'podman', command: podman } };
  reasons.push(`podman: ${firstLine(info.stderr) || (info.error?.message ?? 'not installed')}`);
  return { reason: reasons.join('; ') };
}

const firstLine = (text: string | null | undefined) => (text ?? '').trim().split('\n')[0] ?? '';

export async function engineRun(
  engine: Engine,
  args: string[],
  timeoutMs = 600_000,
): Promise<string> {
  try {
    const { stdout } = await run(engine.command[0]!, [...engine.command.slice(1), ...args], {
      maxBuffer: 64 << 20,
      timeout: timeoutMs,
    });
    return stdout.trim();
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `${engine.name} ${args.slice(0, 3).join(' ')} failed: ${stderr ?? ''}${stdout ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Why the base image can be neither reused nor built here (undefined when it can): building it
 * needs debootstrap and root.
 */
export function baseUnavailable(engine: Engine): string | undefined {
  const inspect = spawnSync(
    engine.command[0]!,
    [...engine.command.slice(1), 'image', 'inspect', BASE_IMAGE],
    {
      encoding: 'utf8',
    },
  );
  if (inspect.status === 0) return undefined;
  if (spawnSync('debootstrap', ['--version']).error) {
    return `${BASE_IMAGE} is not built and debootstrap is not installed (apt-get install debootstrap)`;
  }
  if (process.getuid?.() !== 0) return `${BASE_IMAGE} is not built and debootstrap needs root`;
  return undefined;
}

export async function imageExists(engine: Engine, image: string): Promise<boolean> {
  return engineRun(engine, ['image', 'inspect', image]).then(
    () => true,
    () => false,
  );
}

/** The gitignored folder the base image's root file system is kept in between runs. */
export const CACHE_DIR = path.join(repoRoot, '.cache', 'container-base');
export const BASE_IMAGE = 'localhost/micromesh/debian-base:bookworm';

/** Debian 12 minbase + the node user, assembled locally (deploy/container/build-base.sh). */
export async function ensureBaseImage(engine: Engine): Promise<void> {
  await run(
    'sh',
    [
      path.join(repoRoot, 'deploy', 'container', 'build-base.sh'),
      BASE_IMAGE,
      CACHE_DIR,
      ...engine.command,
    ],
    {
      maxBuffer: 16 << 20,
      timeout: 15 * 60_000,
    },
  ).catch((error: { stderr?: string }) => {
    throw new Error(`deploy/container/build-base.sh failed: ${error.stderr ?? ''}`, {
      cause: error,
    });
  });
}

/**
 * The Node image every service image starts FROM: the base plus the Node binary this test runs on
 * (the project's Node 24, from the bootstrap's .tools/ or the machine), like node:24-bookworm-slim.
 */
export async function ensureNodeImage(engine: Engine): Promise<string> {
  const image = `localhost/micromesh/node:${process.versions.node}-bookworm`;
  if (await imageExists(engine, image)) return image;
  const context = fs.mkdtempSync(path.join(CACHE_DIR, '..', 'node-image-'));
  try {
    fs.copyFileSync(process.execPath, path.join(context, 'node'));
    fs.chmodSync(path.join(context, 'node'), 0o755);
    fs.writeFileSync(
      path.join(context, 'Containerfile'),
      `FROM ${BASE_IMAGE}\nCOPY node /usr/local/bin/node\nCMD ["node"]\n`,
    );
    await engineRun(engine, ['build', '--pull=never', '-t', image, context]);
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
  return image;
}

/**
 * deploy/Dockerfile's runtime stage as it is, except that the bundle comes from the build context
 * (out/<service>, made by deploy/build-bundles.sh like the build stage does) instead of the build
 * stage: the test runs the ENV, USER, WORKDIR and CMD the real image has.
 */
export function runtimeStageContainerfile(): string {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'deploy', 'Dockerfile'), 'utf8');
  const start = dockerfile.search(/^FROM \$\{NODE_IMAGE\} AS runtime$/m);
  if (start === -1)
    throw new Error('deploy/Dockerfile has no "FROM ${NODE_IMAGE} AS runtime" stage');
  const stage = dockerfile.slice(start);
  const copy = 'COPY --from=build /out/${SERVICE}/ ./';
  if (!stage.includes(copy)) throw new Error(`deploy/Dockerfile's runtime stage lacks "${copy}"`);
  return `ARG NODE_IMAGE\n${stage.replace(copy, 'COPY out/${SERVICE}/ ./')}`;
}
