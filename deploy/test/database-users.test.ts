import fs from 'node:fs';
import path from 'node:path';
import { interpolate, parseDotenv } from './support/compose-interpolation';
import { findKubectl, renderOverlay } from './support/kustomize';
import { composeFile, k8sDir, repoRoot } from './support/paths';
import { parseYamlFile, type Doc } from './support/yaml-files';

/**
 * Each service connects to its store as its own user, owning (PostgreSQL) or reading and writing
 * (MongoDB) its own database only: never as the PostgreSQL superuser or the MongoDB root user,
 * whose passwords then stay with the stores.
 */
type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};

const STORE_URLS: Record<string, string> = {
  auth: 'AUTH_DATABASE_URL',
  mail: 'MAIL_DATABASE_URL',
  broker: 'BROKER_DATABASE_URL',
  logger: 'LOG_STORE_URL',
};
/** The user each service's store URL must name, and the database it is for. */
const OWN_USERS = {
  auth: { user: 'auth', database: 'micromesh_auth' },
  mail: { user: 'mail', database: 'micromesh_mail' },
  broker: { user: 'broker', database: 'micromesh_broker' },
  logger: { user: 'logger', database: 'micromesh_logs' },
};

function userAndDatabase(url: string): { user: string; database: string } {
  const match = /^[a-z+]+:\/\/([^:@/]+)(?::[^@]*)?@[^/]+\/([^?]+)/.exec(url);
  return { user: match?.[1] ?? '(none)', database: match?.[2] ?? '(none)' };
}

const initDir = path.join(k8sDir, 'overlays', 'dev', 'dependencies', 'config');

describe('the dev stores’ init files (shared by docker-compose.yml and the dev cluster)', () => {
  test('When the PostgreSQL init script is read, then it creates the roles auth and mail, each owning its database', () => {
    const script = fs.readFileSync(path.join(initDir, 'postgres-service-users.sh'), 'utf8');

    expect(script).toMatch(/CREATE ROLE auth LOGIN PASSWORD :'auth_password';/);
    expect(script).toMatch(/CREATE ROLE mail LOGIN PASSWORD :'mail_password';/);
    expect(script).toMatch(/CREATE DATABASE micromesh_auth OWNER auth;/);
    expect(script).toMatch(/CREATE DATABASE micromesh_mail OWNER mail;/);
    expect(script).not.toMatch(/SUPERUSER|CREATEROLE/);
  });

  test('When the MongoDB init script is read, then it creates the logger user with readWrite on micromesh_logs only', () => {
    const script = fs.readFileSync(path.join(initDir, 'mongo-replica-set.js'), 'utf8');

    expect(script).toContain("db.getSiblingDB('micromesh_logs')");
    expect(script).toMatch(/user: 'logger'/);
    expect(script).toMatch(/roles: \[\{ role: 'readWrite', db: 'micromesh_logs' \}\]/);
  });
});

describe('docker-compose.yml store users', () => {
  const [compose] = parseYamlFile(composeFile).docs as [Doc];
  const services = obj(compose.services);
  const dotenv = parseDotenv(fs.readFileSync(path.join(repoRoot, '.env.example'), 'utf8'));
  const envOf = (service: string) =>
    Object.fromEntries(
      Object.entries(obj(obj(services[service]).environment)).map(([k, v]) => [
        k,
        interpolate(String(v), dotenv),
      ]),
    );

  test('When each service’s store URL is read, then it names the service’s own user and database, not the superuser or root', () => {
    const found = Object.fromEntries(
      Object.entries(STORE_URLS).map(([service, variable]) => [
        service,
        userAndDatabase(envOf(service)[variable] ?? ''),
      ]),
    );

    expect(found).toEqual(OWN_USERS);
    expect(Object.values(found).map((f) => f.user)).not.toContain(dotenv.POSTGRES_USER);
    expect(Object.values(found).map((f) => f.user)).not.toContain(dotenv.MONGO_USER);
  });

  test('When the stores’ containers are read, then they run the shared init scripts with the services’ passwords', () => {
    const mounts = (name: string) => (obj(services[name]).volumes as string[]).join('\n');

    expect(mounts('postgres')).toContain(
      'config/postgres-service-users.sh:/docker-entrypoint-initdb.d/',
    );
    expect(mounts('mongodb')).toContain('config/mongo-replica-set.js:');
    expect(Object.keys(envOf('postgres'))).toEqual(
      expect.arrayContaining(['AUTH_DB_PASSWORD', 'MAIL_DB_PASSWORD', 'BROKER_DB_PASSWORD']),
    );
    expect(Object.keys(envOf('mongodb'))).toContain('LOGGER_MONGO_PASSWORD');
  });
});

const kubectl = findKubectl();
(kubectl ? describe : describe.skip)('Kubernetes store users (rendered overlays)', () => {
  test('When the dev overlay’s Secrets are read, then each service’s store URL names its own user, not the superuser or root', () => {
    const docs = renderOverlay(kubectl!, 'dev');
    const secret = (prefix: string) => {
      const found = docs.find(
        (d) => d.kind === 'Secret' && String(obj(d.metadata).name).startsWith(prefix),
      );
      return Object.fromEntries(
        Object.entries(obj(found?.data)).map(([k, v]) => [
          k,
          Buffer.from(String(v), 'base64').toString('utf8'),
        ]),
      );
    };

    const found = Object.fromEntries(
      Object.entries(STORE_URLS).map(([service, variable]) => [
        service,
        userAndDatabase(secret(`${service}-secrets`)[variable] ?? ''),
      ]),
    );

    expect(found).toEqual(OWN_USERS);
    expect(secret('postgres-credentials').POSTGRES_USER).not.toBe('auth');
    expect(Object.keys(secret('postgres-credentials'))).toEqual(
      expect.arrayContaining(['AUTH_DB_PASSWORD', 'MAIL_DB_PASSWORD', 'BROKER_DB_PASSWORD']),
    );
    expect(Object.keys(secret('mongodb-credentials'))).toContain('LOGGER_MONGO_PASSWORD');
  });

  test('When the prod operator resources are read, then auth, mail and broker own their databases, the superuser is off and the logger may only readWrite micromesh_logs', () => {
    const docs = renderOverlay(kubectl!, 'prod');
    const of = (kind: string) => obj(docs.find((d) => d.kind === kind)?.spec);
    const cluster = of('Cluster');
    const mongo = of('MongoDBCommunity');

    expect(obj(obj(cluster.bootstrap).initdb)).toMatchObject({
      database: 'micromesh_auth',
      owner: 'auth',
    });
    expect(cluster.enableSuperuserAccess).toBe(false);
    const databases = docs.filter((d) => d.kind === 'Database').map((d) => obj(d.spec));
    expect(databases).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'micromesh_mail', owner: 'mail' }),
        expect.objectContaining({ name: 'micromesh_broker', owner: 'broker' }),
      ]),
    );
    expect((obj(cluster.managed).roles as Obj[]).map((r) => r.name)).toEqual(
      expect.arrayContaining(['mail', 'broker']),
    );
    expect(mongo.users).toEqual([
      expect.objectContaining({
        name: 'logger',
        db: 'micromesh_logs',
        roles: [{ name: 'readWrite', db: 'micromesh_logs' }],
      }),
    ]);
  });
});
