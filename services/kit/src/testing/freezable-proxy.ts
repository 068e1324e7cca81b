import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server whose traffic can be frozen: bytes stop flowing
 * both ways while every socket stays open, like a peer that hangs. Lets a test put a real
 * RabbitMQ connection into "publish sent, confirm never comes". It also counts the connections
 * it accepted (how often a client connected, e.g. after a server's GOAWAY).
 */
export interface FreezableProxy {
  port: number;
  /** Client connections accepted so far. */
  readonly connections: number;
  freeze(): void;
  close(): Promise<void>;
}

export async function startFreezableProxy(target: {
  host: string;
  port: number;
}): Promise<FreezableProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  let closing = false;
  let connections = 0;
  const server: Server = createServer((client) => {
    connections += 1;
    if (closing) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
      if (frozen) socket.pause();
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return connections;
    },
    freeze() {
      frozen = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
