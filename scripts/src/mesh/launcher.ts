import path from 'node:path';
import { spawnManaged, waitUntilReady, type ManagedProcess } from './child-process';
import { formatLine } from './log-format';
import { serviceSpecs, type ServiceSpec } from './service-specs';
import type { MeshSettings, ServiceName } from './settings';

export interface LaunchOptions {
  settings: MeshSettings;
  /** Receives every output line, already prefixed with the service name. */
  output?: (line: string) => void;
  color?: boolean;
  /** Start the SMTP sink with its web inbox (maildev) too. */
  smtpSink?: boolean;
  readyTimeoutMs?: number;
  /** Extra node flags for every service (e.g. --cpu-prof for the benchmark's --profile). */
  nodeArgs?: string[];
}

export interface Mesh {
  specs: ServiceSpec[];
  urls: { name: string; url: string }[];
  process(name: ServiceName | 'smtp'): ManagedProcess | undefined;
  /** Stops one service (SIGTERM, or the given signal) and waits for it to exit. */
  stopService(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped service again and waits until it is ready. */
  startService(name: ServiceName): Promise<void>;
  /** Stops everything, front to back. */
  stop(): Promise<void>;
}

/**
 * Starts the SMTP sink and the six services as child processes (node --require
 * @micromesh/kit/tracing dist/main.js), waits for
 * every /readyz, and hands back a handle to stop them. scripts/up and the e2e tests share it.
 */
export async function launchMesh(options: LaunchOptions): Promise<Mesh> {
  const { settings } = options;
  const output = options.output ?? ((line: string) => process.stdout.write(`${line}\n`));
  const color = options.color ?? false;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const specs = serviceSpecs(settings);
  const processes = new Map<string, ManagedProcess>();
  const names = ['smtp', ...specs.map((s) => s.name)];

  const spawnService = (spec: ServiceSpec) => {
    const index = names.indexOf(spec.name);
    const proc = spawnManaged({
      name: spec.name,
      command: process.execPath,
      // The kit's tracing bootstrap loads before the app (OTEL_SDK_DISABLED=true turns it off).
      args: [
        '--require',
        '@micromesh/kit/tracing',
        ...(options.nodeArgs ?? []),
        '--enable-source-maps',
        'dist/main.js',
      ],
      cwd: spec.dir,
      env: spec.env,
      onLine: (line) => output(formatLine(spec.name, index, line, color)),
    });
    processes.set(spec.name, proc);
    return proc;
  };

  const stopAll = async () => {
    for (const name of [...names].reverse()) await processes.get(name)?.stop();
  };

  try {
    if (options.smtpSink ?? true) {
      const maildev = require.resolve('maildev/bin/maildev', {
        paths: [path.join(settings.root, 'scripts')],
      });
      const smtp = spawnManaged({
        name: 'smtp',
        command: process.execPath,
        args: [
          maildev,
          '--smtp',
          String(settings.ports.smtp),
          '--web',
          String(settings.ports.smtpWeb),
          '--ip',
          '127.0.0.1',
          '--web-ip',
          '127.0.0.1',
          '--silent',
        ],
        cwd: settings.root,
        env: {},
        onLine: (line) => output(formatLine('smtp', 0, line, color)),
      });
      processes.set('smtp', smtp);
      await waitUntilReady(
        `http://127.0.0.1:${settings.ports.smtpWeb}/healthz`,
        smtp,
        readyTimeoutMs,
      );
    }
    const started = specs.map((spec) => ({ spec, proc: spawnService(spec) }));
    await Promise.all(
      started.map(({ spec, proc }) =>
        waitUntilReady(`${spec.httpUrl}/readyz`, proc, readyTimeoutMs),
      ),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  const byName = (name: ServiceName) => {
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new Error(`unknown service ${name}`);
    return spec;
  };

  const p = settings.ports;
  return {
    specs,
    urls: [
      { name: 'frontend', url: `http://127.0.0.1:${p.frontend}` },
      { name: 'broker', url: `http://127.0.0.1:${p.broker}` },
      ...specs
        .filter((s) => s.name !== 'frontend' && s.name !== 'broker')
        .map((s) => ({ name: s.name, url: s.httpUrl })),
      { name: 'logger gRPC', url: `127.0.0.1:${p.loggerGrpc}` },
      ...(processes.has('smtp')
        ? [
            { name: 'mail inbox', url: `http://127.0.0.1:${p.smtpWeb}` },
            { name: 'SMTP sink', url: `smtp://127.0.0.1:${p.smtp}` },
          ]
        : []),
    ],
    process: (name) => processes.get(name),
    async stopService(name, signal) {
      const proc = processes.get(name);
      if (!proc) return;
      if (signal && signal !== 'SIGTERM') {
        proc.kill(signal);
        await proc.exited;
      } else {
        await proc.stop();
      }
    },
    async startService(name) {
      const spec = byName(name);
      const proc = spawnService(spec);
      await waitUntilReady(`${spec.httpUrl}/readyz`, proc, readyTimeoutMs);
    },
    stop: stopAll,
  };
}
