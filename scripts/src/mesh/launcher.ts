import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { spawnManaged, waitUntilReady, type ManagedProcess } from './child-process';
import { formatLine } from './log-format';
import { fetchAs } from './mesh-tls';
import {
  DEFAULT_RESTART_POLICY,
  RestartPolicy,
  type RestartPolicySettings,
} from './restart-policy';
import { serviceSpecs, type ServiceSpec } from './service-specs';
import {
  FERRETDB_VERSION,
  type FerretDbSettings,
  type MeshSettings,
  type ServiceName,
} from './settings';

export interface LaunchOptions {
  settings: MeshSettings;
  /** Receives every output line, already prefixed with the service name. */
  output?: (line: string) => void;
  color?: boolean;
  /** Start the SMTP sink with its web inbox (maildev) too. */
  smtpSink?: boolean;
  readyTimeoutMs?: number;
  /**
   * Where each service's output goes as it is written, unparsed, instead of `output` line by line
   * (the benchmark: re-parsing and re-formatting every access-log line would take CPU from the
   * mesh it measures, on the same cores).
   */
  rawOutput?: (service: ServiceName) => Writable;
  /** Extra node flags for every service (e.g. --cpu-prof for the benchmark's --profile). */
  nodeArgs?: string[];
  /**
   * Restart a service that exits on its own (not through stopService/stop), with backoff, and
   * give up loudly after repeated crashes. scripts/up and scripts/chaos supervise; tests that kill
   * a service on purpose and start it themselves do not.
   */
  supervise?: boolean | Partial<RestartPolicySettings>;
  /** Aborting it while the mesh starts stops whatever was started and rejects launchMesh. */
  abort?: AbortSignal;
  /** Told of every supervisor decision (besides the line written to `output`). */
  onSupervisorEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | {
      kind: 'crashed';
      service: ServiceName;
      exit: number | string;
      restartInMs: number;
      crashes: number;
    }
  | { kind: 'restarted'; service: ServiceName; readyAfterMs: number }
  | { kind: 'gave-up'; service: ServiceName; crashes: number }
  | { kind: 'restart-failed'; service: ServiceName; error: string };

export interface Mesh {
  specs: ServiceSpec[];
  urls: { name: string; url: string }[];
  process(name: ServiceName | 'smtp' | 'ferretdb'): ManagedProcess | undefined;
  /** Calls internal services as the broker would (its client certificate under mutual TLS). */
  internalFetch: typeof fetch;
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
  const internalFetch = fetchAs(settings.tlsDir);
  const processes = new Map<string, ManagedProcess>();
  const names = ['ferretdb', 'smtp', ...specs.map((s) => s.name)];
  const supervise = options.supervise ?? false;
  const policySettings: RestartPolicySettings =
    typeof supervise === 'object'
      ? { ...DEFAULT_RESTART_POLICY, ...supervise }
      : DEFAULT_RESTART_POLICY;
  const policies = new Map<string, RestartPolicy>();
  /** Services stopped on purpose (stopService/stop): their exit is not a crash. */
  const stoppedOnPurpose = new Set<string>();
  const pendingRestarts = new Map<string, NodeJS.Timeout>();
  let stopping = false;

  const say = (line: string) => output(formatLine('supervisor', names.length, line, color));

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
      lifeline: true,
      ...(options.rawOutput
        ? { sink: options.rawOutput(spec.name) }
        : { onLine: (line: string) => output(formatLine(spec.name, index, line, color)) }),
    });
    processes.set(spec.name, proc);
    if (supervise) void proc.exited.then((exit) => onExit(spec, proc, exit));
    return proc;
  };

  const onExit = (spec: ServiceSpec, proc: ManagedProcess, exit: number | string) => {
    if (stopping || stoppedOnPurpose.has(spec.name) || processes.get(spec.name) !== proc) return;
    let policy = policies.get(spec.name);
    if (!policy) {
      policy = new RestartPolicy(policySettings);
      policies.set(spec.name, policy);
    }
    const decision = policy.onCrash();
    if (!decision.restart) {
      say(
        `${spec.name} crashed ${decision.crashes} times within ${Math.round(policySettings.windowMs / 1000)} s (last exit: ${exit}); ` +
          'GIVING UP on it — the rest of the mesh keeps running. Fix it, then restart the mesh.',
      );
      options.onSupervisorEvent?.({
        kind: 'gave-up',
        service: spec.name,
        crashes: decision.crashes,
      });
      return;
    }
    say(
      `${spec.name} exited unexpectedly (${exit}); restarting in ${(decision.delayMs / 1000).toFixed(1)} s ` +
        `(crash ${decision.crashes} within the window)`,
    );
    options.onSupervisorEvent?.({
      kind: 'crashed',
      service: spec.name,
      exit,
      restartInMs: decision.delayMs,
      crashes: decision.crashes,
    });
    const timer = setTimeout(() => {
      pendingRestarts.delete(spec.name);
      if (stopping || stoppedOnPurpose.has(spec.name)) return;
      const t0 = Date.now();
      const next = spawnService(spec);
      waitUntilReady(`${spec.httpUrl}/readyz`, next, readyTimeoutMs, undefined, internalFetch).then(
        () => {
          const readyAfterMs = Date.now() - t0;
          say(
            `${spec.name} is back and ready (${(readyAfterMs / 1000).toFixed(1)} s after its restart)`,
          );
          options.onSupervisorEvent?.({ kind: 'restarted', service: spec.name, readyAfterMs });
        },
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err);
          // An exit before readiness is seen by onExit of `next` and counted as another crash.
          if (!stopping) say(`${spec.name} did not become ready after its restart: ${error}`);
          options.onSupervisorEvent?.({ kind: 'restart-failed', service: spec.name, error });
        },
      );
    }, decision.delayMs);
    timer.unref();
    pendingRestarts.set(spec.name, timer);
  };

  const stopAll = async () => {
    stopping = true;
    for (const timer of pendingRestarts.values()) clearTimeout(timer);
    pendingRestarts.clear();
    for (const name of [...names].reverse()) await processes.get(name)?.stop();
  };

  try {
    if (settings.ferretdb) {
      const ferretdb = startFerretDb(settings.root, settings.ferretdb, (line) =>
        output(formatLine('ferretdb', 0, line, color)),
      );
      processes.set('ferretdb', ferretdb);
      await waitUntilReady(
        `http://127.0.0.1:${settings.ferretdb.debugPort}/debug/readyz`,
        ferretdb,
        readyTimeoutMs,
        options.abort,
      );
    }
    if (options.smtpSink ?? true) {
      const maildev = require.resolve('maildev/bin/maildev', {
        paths: [path.join(settings.root, 'scripts')],
      });
      const smtp = spawnManaged({
        name: 'smtp',
        command: process.execPath,
        lifeline: true,
        args: [
          // The built file: the launcher also runs from sources (under jest).
          path.join(settings.root, 'scripts', 'dist', 'mesh', 'lifeline.js'),
          process.execPath,
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
        options.abort,
      );
    }
    if (options.abort?.aborted) throw new Error('stopped while starting');
    const started = specs.map((spec) => ({ spec, proc: spawnService(spec) }));
    await Promise.all(
      started.map(({ spec, proc }) =>
        waitUntilReady(
          `${spec.httpUrl}/readyz`,
          proc,
          readyTimeoutMs,
          options.abort,
          internalFetch,
        ),
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
      ...(settings.ferretdb
        ? [{ name: 'log store', url: `${settings.logStoreUrl} (FerretDB ${FERRETDB_VERSION})` }]
        : []),
      ...(processes.has('smtp')
        ? [
            { name: 'mail inbox', url: `http://127.0.0.1:${p.smtpWeb}` },
            { name: 'SMTP sink', url: `smtp://127.0.0.1:${p.smtp}` },
          ]
        : []),
    ],
    process: (name) => processes.get(name),
    internalFetch,
    async stopService(name, signal) {
      stoppedOnPurpose.add(name);
      clearTimeout(pendingRestarts.get(name));
      pendingRestarts.delete(name);
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
      stoppedOnPurpose.delete(name);
      const spec = byName(name);
      const proc = spawnService(spec);
      await waitUntilReady(
        `${spec.httpUrl}/readyz`,
        proc,
        readyTimeoutMs,
        undefined,
        internalFetch,
      );
    },
    stop: stopAll,
  };
}

/**
 * FerretDB for the logger: loopback only, SQLite files in .run/ferretdb, telemetry off; through
 * the lifeline like the SMTP sink, so it stops with the supervisor.
 */
function startFerretDb(
  root: string,
  settings: FerretDbSettings,
  onLine: (line: string) => void,
): ManagedProcess {
  if (!existsSync(settings.binary)) {
    throw new Error(
      `${settings.binary} is missing: scripts/up builds it when LOG_STORE=mongo (ensure_ferretdb)`,
    );
  }
  mkdirSync(settings.dataDir, { recursive: true });
  return spawnManaged({
    name: 'ferretdb',
    command: process.execPath,
    lifeline: true,
    args: [
      path.join(root, 'scripts', 'dist', 'mesh', 'lifeline.js'),
      settings.binary,
      '--handler=sqlite',
      `--sqlite-url=file:${settings.dataDir}/`,
      `--state-dir=${settings.dataDir}`,
      `--listen-addr=127.0.0.1:${settings.port}`,
      `--debug-addr=127.0.0.1:${settings.debugPort}`,
      '--telemetry=disable',
      '--log-level=error',
    ],
    cwd: settings.dataDir,
    env: {},
    onLine,
  });
}
