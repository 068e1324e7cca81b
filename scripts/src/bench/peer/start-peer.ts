import path from 'node:path';
import { spawnManaged, waitUntilReady, type ManagedProcess } from '../../mesh/child-process';
import { freePorts } from '../../mesh/free-ports';

export interface PeerOptions {
  root: string;
  databaseUrl: string;
  amqpUrl: string;
  /** The auth service's signing key file (PEM); the gateway verifies with its public half. */
  jwtKeyFile: string;
  rateLimitPoints: number;
  output: (line: string) => void;
}

export interface RunningPeer {
  url: string;
  gateway: ManagedProcess;
  logger: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Starts the Moleculer peer as two processes (logger node, then gateway node) from the build in
 * scripts/dist, and waits until the gateway answers /readyz and reaches the logger node.
 */
export async function startPeer(options: PeerOptions): Promise<RunningPeer> {
  const [http, gatewayTcp, loggerTcp] = (await freePorts(3)) as [number, number, number];
  const dist = path.join(options.root, 'scripts', 'dist', 'bench', 'peer');
  const transport = {
    PEER_GATEWAY_TCP_PORT: String(gatewayTcp),
    PEER_LOGGER_TCP_PORT: String(loggerTcp),
  };
  const started: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop();
  };
  try {
    let loggerReady!: () => void;
    const loggerUp = new Promise<void>((resolve) => {
      loggerReady = resolve;
    });
    const logger = spawnManaged({
      name: 'peer-logger',
      command: process.execPath,
      args: [path.join(dist, 'logger-node.js')],
      cwd: options.root,
      env: { ...transport, PEER_PG_URL: options.databaseUrl },
      onLine: (line) => {
        options.output(`peer-logger │ ${line}`);
        if (line.includes('peer logger node ready')) loggerReady();
      },
    });
    started.push(logger);
    await Promise.race([
      loggerUp,
      new Promise((_, reject) => {
        const timer = setTimeout(() => reject(new Error('peer logger node did not start')), 30_000);
        void loggerUp.then(() => clearTimeout(timer));
        void logger.exited.then((code) => reject(new Error(`peer logger node exited (${code})`)));
      }),
    ]);
    const gateway = spawnManaged({
      name: 'peer-gateway',
      command: process.execPath,
      args: [path.join(dist, 'gateway-node.js')],
      cwd: options.root,
      env: {
        ...transport,
        PEER_HTTP_PORT: String(http),
        PEER_JWT_KEY_FILE: options.jwtKeyFile,
        PEER_AMQP_URL: options.amqpUrl,
        PEER_RATE_LIMIT_POINTS: String(options.rateLimitPoints),
      },
      onLine: (line) => options.output(`peer-gateway │ ${line}`),
    });
    started.push(gateway);
    const url = `http://127.0.0.1:${http}`;
    await waitUntilReady(`${url}/readyz`, gateway, 30_000);
    return { url, gateway, logger, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
