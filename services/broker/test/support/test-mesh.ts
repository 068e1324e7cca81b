import {
  captureLogs,
  createTestDatabase,
  createTestVhost,
  freePort,
  startServiceProcess,
  waitFor,
  type CapturedLogs,
  type ServiceProcess,
  type TestDatabase,
  type TestVhost,
} from '@micromesh/kit/testing';
import type { StartedHttpService } from '@micromesh/kit';
import request from 'supertest';
import { startBroker } from '../../src/app';
import { loadBrokerConfig } from '../../src/config';
import { createKeyDir, kidFromJwks, type KeyDir, type SigningKey } from './signing-keys';

export const ADMIN = { email: 'admin@broker-test.local', password: 'admin-password-1' };

export interface MeshUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

/**
 * The broker's real neighbours for a suite: auth and logger as child processes (built dist/, own
 * databases), a fresh RabbitMQ vhost, and a key directory whose private key the tests also hold.
 * Only the mail service and the listener are absent unless a suite adds them.
 */
export class TestMesh {
  auth!: ServiceProcess;
  logger?: ServiceProcess;
  loggerGrpc!: string;
  vhost!: TestVhost;
  signingKey!: SigningKey;
  private keyDir!: KeyDir;
  /** The logger's database (a test may make it refuse an entry) and the broker's own. */
  logsDb!: TestDatabase;
  brokerDb!: TestDatabase;
  private databases: TestDatabase[] = [];
  private brokers: StartedHttpService[] = [];

  /**
   * `withLogger: false` leaves the logger out for suites that never reach it; `authEnv` adds to or
   * overrides auth's environment; `authAmqpUrl` gives auth another RabbitMQ URL than the brokers'
   * vhost (e.g. one it cannot use); `loggerEnv` adds to the logger's environment.
   */
  static async start({
    withLogger = true,
    authEnv = {},
    authAmqpUrl,
    loggerEnv = {},
  }: {
    withLogger?: boolean;
    authEnv?: Record<string, string>;
    authAmqpUrl?: (vhostUrl: string) => string;
    loggerEnv?: Record<string, string>;
  } = {}): Promise<TestMesh> {
    const mesh = new TestMesh();
    await mesh.boot(withLogger, authEnv, authAmqpUrl, loggerEnv);
    return mesh;
  }

  private async boot(
    withLogger: boolean,
    authEnv: Record<string, string>,
    authAmqpUrl: ((vhostUrl: string) => string) | undefined,
    loggerEnv: Record<string, string>,
  ): Promise<void> {
    const [authDb, logsDb, brokerDb, vhost, keyDir, grpcPort] = await Promise.all([
      createTestDatabase('broker_auth'),
      createTestDatabase('broker_logs'),
      createTestDatabase('broker_own'),
      createTestVhost('broker'),
      createKeyDir(),
      freePort(),
    ]);
    this.databases = [authDb, logsDb, brokerDb];
    this.logsDb = logsDb;
    this.brokerDb = brokerDb;
    this.vhost = vhost;
    this.keyDir = keyDir;
    this.loggerGrpc = `127.0.0.1:${grpcPort}`;
    const started = await Promise.all([
      startServiceProcess({
        service: 'auth',
        env: {
          LOG_LEVEL: 'warn',
          AUTH_DATABASE_URL: authDb.url,
          // Auth announces revocations on this vhost, where the brokers under test listen.
          AMQP_URL: authAmqpUrl ? authAmqpUrl(vhost.url) : vhost.url,
          AUTH_JWT_KEYS_DIR: keyDir.dir,
          AUTH_JWT_RELOAD_MS: '200',
          AUTH_BCRYPT_COST: '4',
          AUTH_SEED_ADMIN_EMAIL: ADMIN.email,
          AUTH_SEED_ADMIN_PASSWORD: ADMIN.password,
          ...authEnv,
        },
      }),
      withLogger
        ? startServiceProcess({
            service: 'logger',
            env: {
              LOG_LEVEL: 'warn',
              LOG_STORE_URL: logsDb.url,
              GRPC_PORT: String(grpcPort),
              ...loggerEnv,
            },
          })
        : undefined,
    ]);
    [this.auth, this.logger] = started;
    this.signingKey = { ...keyDir.key, kid: await kidFromJwks(this.auth.url, keyDir.key) };
  }

  /** A newer-named PEM beside the old one, with no restart: auth rereads its keys directory. */
  async addSigningKey(stem: string): Promise<SigningKey> {
    const key = await this.keyDir.add(stem);
    const kid = await waitFor(() => kidFromJwks(this.auth.url, key).catch(() => undefined), {
      what: 'auth publishing the new key',
    });
    return { ...key, kid };
  }

  /**
   * Key rotation with a restart: a newer-named PEM beside the old one, auth restarted. Auth then
   * signs with the new key and publishes both; returns the new key with its kid.
   */
  async rotateSigningKey(): Promise<SigningKey> {
    const key = await this.keyDir.add('2099-01-01');
    await this.auth.stop();
    await this.auth.restart();
    return { ...key, kid: await kidFromJwks(this.auth.url, key) };
  }

  /** Broker settings pointing at this mesh; `env` overrides any variable. */
  brokerConfig(env: Record<string, string> = {}) {
    return loadBrokerConfig({
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
      AUTH_URL: this.auth.url,
      LOGGER_URL: this.logger?.url ?? 'http://127.0.0.1:9',
      LOGGER_GRPC_ADDRESS: this.loggerGrpc,
      // No mail service or listener in most suites: nothing listens on port 9.
      MAIL_URL: 'http://127.0.0.1:9',
      LISTENER_URL: 'http://127.0.0.1:9',
      AMQP_URL: this.vhost.url,
      BROKER_DATABASE_URL: this.brokerDb.url,
      CORS_ORIGINS: 'http://127.0.0.1:8081',
      ...env,
    });
  }

  /** An in-process broker (the unit under test), stopped by close(). */
  async startBroker(
    env: Record<string, string> = {},
    logs: CapturedLogs = captureLogs('broker', 'silent'),
  ): Promise<StartedHttpService> {
    const broker = await startBroker(this.brokerConfig(env), { logger: logs.logger });
    this.brokers.push(broker);
    return broker;
  }

  /** A token from the real auth service, through its own login route. */
  async login(email: string, password: string): Promise<string> {
    const res = await fetch(`${this.auth.url}/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = (await res.json()) as { data?: { token?: { access_token?: string } } };
    const token = body.data?.token?.access_token;
    if (res.status !== 202 || !token) throw new Error(`login of ${email} failed: ${res.status}`);
    return token;
  }

  /** A fresh account created at auth by the seeded admin, logged in. */
  async createUser(role: 'user' | 'admin' = 'user'): Promise<MeshUser> {
    const adminToken = await this.login(ADMIN.email, ADMIN.password);
    const email = `${role}-${Math.random().toString(36).slice(2)}@broker-test.local`;
    const password = 'user-password-1';
    const res = await request(this.auth.url)
      .post('/api/users')
      .set('authorization', `Bearer ${adminToken}`)
      .send({ email, password, role });
    if (res.status !== 201) throw new Error(`creating ${email} failed: ${res.status} ${res.text}`);
    const id = (res.body as { data: { user: { id: string } } }).data.user.id;
    return { id, email, password, token: await this.login(email, password) };
  }

  /** One more API key of `owner` (its own scopes unless `scopes` narrows them), created at auth. */
  async createKeyOf(owner: MeshUser, scopes?: string[]): Promise<{ key: string; id: string }> {
    const res = await request(this.auth.url)
      .post('/api/keys')
      .set('authorization', `Bearer ${owner.token}`)
      .send({ name: `key of ${owner.email}`, ...(scopes ? { scopes } : {}) });
    if (res.status !== 201)
      throw new Error(`creating an API key failed: ${res.status} ${res.text}`);
    const data = (res.body as { data: { key: string; api_key: { id: string } } }).data;
    return { key: data.key, id: data.api_key.id };
  }

  /** An API key created at auth for a fresh account with `role`. */
  async createApiKey(role: 'user' | 'admin' = 'user'): Promise<{ key: string; id: string }> {
    return this.createKeyOf(await this.createUser(role));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.brokers.map((b) => b.stop()));
    await Promise.allSettled([this.auth?.stop(), this.logger?.stop()]);
    await Promise.allSettled([
      ...this.databases.map((d) => d.drop()),
      this.vhost?.drop(),
      this.keyDir?.remove(),
    ]);
  }
}
