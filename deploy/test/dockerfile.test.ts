import fs from 'node:fs';
import path from 'node:path';
import { parseDockerfile, type Stage } from './support/dockerfile';
import { isExcluded, readDockerignore } from './support/dockerignore';
import { imageIsPinned } from './support/k8s-policy';
import { composeFile, repoRoot, SERVICES } from './support/paths';
import { checkedSettings, minimalEnv } from './support/service-configs';
import { parseYamlFile } from './support/yaml-files';

const dockerfile = parseDockerfile(path.join(repoRoot, 'deploy', 'Dockerfile'));
const [build, runtime] = dockerfile.stages as [Stage, Stage];
const runs = (stage: Stage) =>
  stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const last = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;

describe('deploy/Dockerfile', () => {
  test('When its stages are read, then both build from the same Node 24 image pinned by exact version', () => {
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

describe('deploy/Dockerfile against the build context', () => {
  const ignore = readDockerignore(path.join(repoRoot, '.dockerignore'));
  const contextCopies = dockerfile.stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      ),
  );

  test('When every COPY from the build context is checked, then each source exists and .dockerignore keeps it in the context', () => {
    const problems = contextCopies
      .filter((source) => source !== '.')
      .flatMap((source) => [
        ...(fs.existsSync(path.join(repoRoot, source)) ? [] : [`${source}: not in the repository`]),
        ...(isExcluded(ignore, source) ? [`${source}: excluded by .dockerignore`] : []),
      ]);

    expect(contextCopies.length).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  });

  test('When the build stage is read, then ARG SERVICE comes after the dependency install, so those layers are shared by every service', () => {
    const keywords = build.instructions.map((i) => `${i.keyword} ${i.args}`);
    const serviceArg = keywords.indexOf('ARG SERVICE');
    const install = keywords.findIndex((k) => k.includes('pnpm install --frozen-lockfile'));
    const fetch = keywords.findIndex((k) => k.includes('pnpm fetch'));

    expect(install).toBeGreaterThan(fetch);
    expect(serviceArg).toBeGreaterThan(install);
    expect(keywords.slice(0, serviceArg).join('\n')).not.toContain('SERVICE');
  });

  test('When the image’s health check runs without PORT, then it probes the default port the built service reports', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS script itself
    const { healthPort } = require(path.join(repoRoot, 'deploy', 'healthcheck.cjs')) as {
      healthPort: (env: Record<string, string>) => string;
    };
    const envLine = last(runtime, 'ENV') ?? '';

    expect(envLine).toContain('MICROMESH_SERVICE=${SERVICE}');
    const settings = await Promise.all(
      SERVICES.map((service) => checkedSettings(service, minimalEnv(service))),
    );
    SERVICES.forEach((service, i) => {
      expect({ service, port: healthPort({ MICROMESH_SERVICE: service }) }).toEqual({
        service,
        port: String(settings[i]!.PORT),
      });
    });
    expect(healthPort({ MICROMESH_SERVICE: 'auth', PORT: '9999' })).toBe('9999');
  }, 120_000);
});

describe('.dockerignore', () => {
  test('When the build context is filtered, then dependencies, build output, local secrets and git stay out', () => {
    const ignored = fs
      .readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());

    expect(ignored).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.env', '.secrets', '.git', '.tools']),
    );
  });
});
