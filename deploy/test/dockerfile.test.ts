import fs from 'node:fs';
import path from 'node:path';
import { parseDockerfile, type Stage } from './support/dockerfile';
import { imageIsPinned } from './support/k8s-policy';
import { composeFile, repoRoot } from './support/paths';
import { parseYamlFile } from './support/yaml-files';

const dockerfile = parseDockerfile(path.join(repoRoot, 'deploy', 'Dockerfile'));
const [build, runtime] = dockerfile.stages as [Stage, Stage];
const runs = (stage: Stage) =>
  stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const last = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;

describe('deploy/Dockerfile', () => {
  test('When its stages are read, then both build from the same Node 20 image pinned by exact version', () => {
    expect(dockerfile.stages).toHaveLength(2);
    expect(build.from).toBe(runtime.from);
    expect(build.from).toMatch(/^node:24\.\d+\.\d+-/);
    expect(imageIsPinned(build.from)).toBe(true);
  });

  test('When the build stage is read, then it installs from the lockfile with the packageManager pnpm and runs build-bundles.sh', () => {
    const commands = runs(build).join('\n');

    expect(commands).toContain(`require('./package.json').packageManager`);
    expect(commands).toContain('pnpm install --frozen-lockfile');
    expect(commands).toContain('sh deploy/build-bundles.sh /out "${SERVICE}"');
  });

  test('When the runtime stage is read, then it copies only the bundle and runs node dist/main.js with the tracing bootstrap, as the node user in production mode', () => {
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);

    expect(copies).toContain('--from=build /out/${SERVICE}/ ./');
    expect(last(runtime, 'USER')).toBe('node');
    expect(last(runtime, 'WORKDIR')).toBe('/app');
    expect(last(runtime, 'ENV')).toContain('NODE_ENV=production');
    expect(JSON.parse(last(runtime, 'CMD') ?? 'null')).toEqual([
      'node',
      '--require',
      '@micromesh/kit/tracing',
      'dist/main.js',
    ]);
  });

  test('When the compose one-shot job picks a Node image, then it is the Dockerfile’s', () => {
    const [compose] = parseYamlFile(composeFile).docs as [
      { services: Record<string, { image?: string }> },
    ];

    expect(compose.services['jwt-keys']?.image).toBe(build.from);
  });
});

describe('.dockerignore', () => {
  test('When the build context is filtered, then dependencies, build output, local secrets and git stay out', () => {
    const ignored = fs
      .readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());

    expect(ignored).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.env', '.secrets', '.git']),
    );
  });
});
