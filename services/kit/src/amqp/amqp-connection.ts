// Kept by hand, not amqp-connection-manager: that queues publishes in memory while RabbitMQ is
// down and resends the unconfirmed after a reconnect; the mesh answers 503 at once instead.
import amqp, { type ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffSettings } from './backoff';
import { settleWithin } from './settle-within';

export type { ChannelModel } from 'amqplib';

export interface AmqpConnectionOptions {
  url: string;
  logger: Logger;
  /** `connection_name` client property: how the connection shows up in the RabbitMQ UI. */
  name: string;
  /** Jittered exponential backoff between connection attempts; default 250 ms → 5 s. */
  reconnect?: BackoffSettings;
  /** Default 10: a dead peer is noticed within ~2 heartbeats. */
  heartbeatSeconds?: number;
  /** TCP connect timeout of one attempt; default 5000. */
  connectTimeoutMs?: number;
}

export type ConnectSetup = (connection: ChannelModel) => Promise<void>;
export type DisconnectHandler = (reason: Error) => void;

type State = 'idle' | 'connecting' | 'connected' | 'closed';

/** While down, a warning at most this often; the attempts in between log at debug. */
const STILL_DOWN_WARNING_MS = 30_000;

/**
 * One AMQP connection that heals itself: connects in the background, reruns every registered
 * setup (topology, channels, consumers) after each (re)connect, and retries with backoff until
 * `close()`. Nothing here throws at the caller: users check `connected` or fail their own work
 * fast from `onDisconnect`.
 */
export class AmqpConnection {
  private readonly setups: ConnectSetup[] = [];
  private readonly disconnectHandlers: DisconnectHandler[] = [];
  private readonly waiters = new Set<() => void>();
  readonly logger: Logger;
  private state: State = 'idle';
  private model: ChannelModel | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private isBlocked = false;
  private lastError: Error | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: AmqpConnectionOptions) {
    this.logger = options.logger.child({ component: 'amqp', connection: options.name });
  }

  /**
   * Runs on every (re)connect, in registration order. A setup that throws fails that connect
   * (the connection is dropped and retried). Registered while connected, it also runs at once on
   * the live connection.
   */
  onConnect(setup: ConnectSetup): void {
    this.setups.push(setup);
    const model = this.model;
    if (this.state === 'connected' && model) {
      setup(model).catch((err: unknown) => {
        this.logger.warn({ err }, 'AMQP setup failed on the live connection; reconnecting');
        if (this.model === model) void closeQuietly(model);
      });
    }
  }

  /** Told when an established connection is lost (or closed), so in-flight work fails fast. */
  onDisconnect(handler: DisconnectHandler): void {
    this.disconnectHandlers.push(handler);
  }

  /** Connects in the background and keeps reconnecting until `close()`. Never throws. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    this.runConnectLoop();
  }

  /** The `connection_name` this connection shows in the RabbitMQ UI. */
  get name(): string {
    return this.options.name;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** RabbitMQ sent connection.blocked (memory/disk alarm): publishes would stall. */
  get blocked(): boolean {
    return this.isBlocked;
  }

  /** The live connection, for code that needs it outside a setup. */
  get current(): ChannelModel | undefined {
    return this.state === 'connected' ? this.model : undefined;
  }

  waitUntilConnected(timeoutMs: number): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new Error('AMQP connection is closed'));
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        if (this.state === 'connected') resolve();
        else reject(new Error('AMQP connection is closed'));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        const why = this.lastError ? `: ${this.lastError.message}` : '';
        reject(new Error(`RabbitMQ not connected after ${timeoutMs} ms${why}`));
      }, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** For `ctx.health.addCheck('rabbitmq', connection.healthCheck())`. */
  healthCheck(): () => Promise<void> {
    return async () => {
      if (this.state !== 'connected') {
        throw new Error(
          `RabbitMQ not connected${this.lastError ? `: ${this.lastError.message}` : ''}`,
        );
      }
      if (this.isBlocked) throw new Error('RabbitMQ is blocking publishers (resource alarm)');
    };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    const model = this.model;
    this.model = undefined;
    this.notifyWaiters();
    if (wasConnected) this.notifyDisconnect(new Error('AMQP connection closed by the application'));
    if (model) await closeQuietly(model);
    // An attempt in progress closes what it opens once it sees the state.
    await this.loop;
    this.logger.info('AMQP connection closed');
  }

  private runConnectLoop(): void {
    this.loop = this.connectLoop().catch((err: unknown) => {
      this.logger.error({ err }, 'AMQP reconnect loop failed');
    });
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    let downSince = Date.now();
    let lastWarning = 0;
    while (this.state === 'connecting') {
      try {
        await this.connectOnce(() => {
          const downMs = Date.now() - downSince;
          if (attempt > 0) this.logger.info({ attempts: attempt + 1, downMs }, 'AMQP reconnected');
          else this.logger.info('AMQP connected');
        });
        return;
      } catch (err) {
        if (this.state !== 'connecting') return;
        this.lastError = err instanceof Error ? err : new Error(String(err));
        const now = Date.now();
        if (attempt === 0) downSince = now;
        const delayMs = backoffDelay(attempt, this.options.reconnect);
        const fields = { err: this.lastError.message, attempt: attempt + 1, delayMs };
        if (now - lastWarning >= STILL_DOWN_WARNING_MS) {
          lastWarning = now;
          this.logger.warn(fields, 'AMQP connect failed; retrying with backoff');
        } else {
          this.logger.debug(fields, 'AMQP connect failed; retrying');
        }
        attempt++;
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          this.retryTimer = setTimeout(resolve, delayMs);
        });
        this.wakeRetry = undefined;
      }
    }
  }

  /**
   * Connects and runs every setup. Whatever fails after the socket opened closes that connection
   * before rethrowing, so a retry never leaves one behind.
   */
  private async connectOnce(announce: () => void): Promise<void> {
    const model = await amqp.connect(this.urlWithHeartbeat(), {
      clientProperties: { connection_name: this.options.name },
      timeout: this.options.connectTimeoutMs ?? 5_000,
    });
    // A close during setup fails this attempt instead of starting a second reconnect loop.
    let settingUp = true;
    let lostDuringSetup: Error | undefined;
    model.on('error', (err: Error) => {
      this.lastError = err;
      this.logger.warn({ err: err.message }, 'AMQP connection error');
    });
    model.on('blocked', (reason: string) => {
      this.isBlocked = true;
      this.logger.warn({ reason }, 'RabbitMQ blocked this connection (resource alarm)');
    });
    model.on('unblocked', () => {
      this.isBlocked = false;
      this.logger.info('RabbitMQ unblocked this connection');
    });
    model.on('close', (err?: Error) => {
      const reason = err ?? new Error('AMQP connection closed by the server');
      if (settingUp) lostDuringSetup = reason;
      else this.onConnectionLost(model, reason);
    });

    this.model = model;
    try {
      // By index: a setup registered while this loop runs is picked up too.
      for (let i = 0; i < this.setups.length && !lostDuringSetup; i++) {
        if (this.state !== 'connecting') break;
        await this.setups[i]!(model);
      }
      if (lostDuringSetup) throw lostDuringSetup;
      if (this.state !== 'connecting') throw new Error('AMQP connection closed by the application');
    } catch (err) {
      settingUp = false;
      this.model = undefined;
      await closeQuietly(model);
      throw err;
    }
    // Synchronous from the checks above, so no 'close' event can fall in between.
    settingUp = false;
    announce();
    this.isBlocked = false;
    this.lastError = undefined;
    this.state = 'connected';
    this.notifyWaiters();
  }

  private onConnectionLost(model: ChannelModel, reason: Error): void {
    if (this.model !== model || this.state !== 'connected') return;
    this.model = undefined;
    this.lastError = reason;
    this.state = 'connecting';
    this.logger.warn({ err: reason.message }, 'AMQP connection lost; reconnecting');
    this.notifyDisconnect(reason);
    this.runConnectLoop();
  }

  private notifyDisconnect(reason: Error): void {
    for (const handler of this.disconnectHandlers) {
      try {
        handler(reason);
      } catch (err) {
        this.logger.error({ err }, 'AMQP disconnect handler threw');
      }
    }
  }

  private notifyWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private urlWithHeartbeat(): string {
    const url = new URL(this.options.url);
    if (!url.searchParams.has('heartbeat')) {
      url.searchParams.set('heartbeat', String(this.options.heartbeatSeconds ?? 10));
    }
    return url.toString();
  }
}

/** Closes without throwing and without waiting forever for an unresponsive broker. */
async function closeQuietly(model: ChannelModel, boundMs = 2_000): Promise<void> {
  await settleWithin(model.close(), boundMs);
}
