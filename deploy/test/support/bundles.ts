import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths';

const run = promisify(execFile);

/**
 * pnpm itself when it is on PATH (as in the image); else the pinned version, resolved once through
 * npx so that the build's dozen pnpm calls don't each pay for npx.
 */
function pnpmCommand(): string {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0) return 'pnpm';
  const rootPackage = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    packageManager: string;
  };
  const resolved = spawnSync(
    'npx',
    ['-y', '-p', rootPackage.packageManager, '-c', 'command -v pnpm'],
    { encoding: 'utf8' },
  );
  const bin = resolved.stdout.trim();
  return resolved.status === 0 && bin !== '' ? bin : `npx -y ${rootPackage.packageManager}`;
}

/**
 * Builds each service's production bundle into outDir/<service> with deploy/build-bundles.sh, the
 * script deploy/Dockerfile runs (tsc -b, the bundle script, `pnpm deploy --prod`).
 */
export async function buildBundles(outDir: string, services: readonly string[]): Promise<void> {
  try {
    await run('sh', ['deploy/build-bundles.sh', outDir, ...services], {
      cwd: repoRoot,
      env: { ...process.env, PNPM: pnpmCommand() },
      maxBuffer: 64 << 20,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`deploy/build-bundles.sh failed:\n${stderr ?? ''}\n${stdout ?? ''}`.trim(), {
      cause: error,
    });
  }
}
