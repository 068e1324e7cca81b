import fs from 'node:fs';
import path from 'node:path';
import { composePolicyViolations, composeSchemaErrors } from './support/compose-checks';
import { interpolate, parseDotenv } from './support/compose-interpolation';
import { nativeVariables } from './support/native-wiring';
import { composeFile, repoRoot, SERVICES } from './support/paths';
import { absoluteWatermark, bytesOf } from './support/k8s-policy';
import { configError } from './support/service-configs';
import { parseYamlFile, type Doc } from './support/yaml-files';

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};

/** Only the front-end, the broker and the three dependency UIs are reachable from the host. */
export const ALLOWED_PUBLISHED_PORTS = {
  frontend: [8081],
  broker: [8080],
  mailpit: [8025],
  rabbitmq: [15672],
  prometheus: [9090],
  jaeger: [16686],
};

describe('docker-compose.yml', () => {
  let compose: Doc;
  let services: Obj;
  beforeAll(() => {
    [compose] = parseYamlFile(composeFile).docs as [Doc];
    services = obj(compose.services);
  });

  test('When it is validated against the Compose Specification schema, then it conforms', () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  test('When the policies are checked, then every long-running container has a health check, waits for healthy dependencies, runs a pinned image, keeps its credentials in .env and publishes only the allowed ports', () => {
    expect(
      composePolicyViolations(compose, { allowedPublishedPorts: ALLOWED_PUBLISHED_PORTS }),
    ).toEqual([]);
  });

  test('When the containers are listed, then the four dependencies and all six services are there', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'mongodb', 'rabbitmq', 'mailpit', ...SERVICES]),
    );
  });

  test('When each service’s build is read, then it is the one Dockerfile with SERVICE set to that service', () => {
    for (const service of SERVICES) {
      const build = obj(obj(services[service]).build);

      expect({ service, dockerfile: build.dockerfile, args: build.args }).toEqual({
        service,
        dockerfile: 'deploy/Dockerfile',
        args: { SERVICE: service },
      });
    }
  });

  test('When the stateful dependencies are read, then each keeps its data in a named volume', () => {
    const named = new Set(Object.keys(obj(compose.volumes)));
    const dataVolumes = {
      postgres: '/var/lib/postgresql/data',
      mongodb: '/data/db',
      rabbitmq: '/var/lib/rabbitmq',
      mailpit: '/data',
    };

    for (const [name, target] of Object.entries(dataVolumes)) {
      const mounts = (obj(services[name]).volumes as string[]).map((v) => v.split(':'));
      const data = mounts.find(([, mountPath]) => mountPath === target);

      expect(named.has(data?.[0] ?? '')).toBe(true);
    }
  });

  test('When RabbitMQ is read, then it runs under a memory limit with an absolute memory watermark below it', () => {
    const rabbitmq = obj(services.rabbitmq);
    const config = (rabbitmq.volumes as string[])
      .map((v) => v.split(':'))
      .find(([, target]) => String(target).startsWith('/etc/rabbitmq/'));
    const text = fs.readFileSync(path.join(repoRoot, String(config?.[0])), 'utf8');
    const watermark = absoluteWatermark(text) ?? Number.NaN;
    const limit = bytesOf(
      String(rabbitmq.mem_limit).replace(/([kmg])$/i, (u) => `${u.toUpperCase()}i`),
    );

    expect(watermark).toBeGreaterThan(0);
    expect(watermark).toBeLessThan(limit);
  });

  test('When Prometheus’ scrape config is read, then it scrapes every service’s /metrics at the port it serves them on', () => {
    const prometheus = obj(services.prometheus);
    const mount = (prometheus.volumes as string[])
      .map((v) => v.split(':'))
      .find(([, target]) => target === '/etc/prometheus/prometheus.yml');
    const [config] = parseYamlFile(path.join(repoRoot, String(mount?.[0]))).docs as [Doc];
    const jobs = (config.scrape_configs as Obj[]).map((job) => ({
      path: job.metrics_path ?? '/metrics',
      targets: (job.static_configs as Obj[]).flatMap((c) => c.targets as string[]),
    }));

    // The port /metrics is on: METRICS_PORT where a service moves it there (the broker), else PORT.
    const expected = SERVICES.map((service) => {
      const env = obj(obj(services[service]).environment);
      return `${service}:${String(env.METRICS_PORT ?? env.PORT)}`;
    });

    expect(jobs.flatMap((j) => j.targets).sort()).toEqual(expected.sort());
    expect(new Set(jobs.map((j) => j.path))).toEqual(new Set(['/metrics']));
  });

  test('When the logger’s store is read, then it is the MongoDB replica set', () => {
    const env = obj(obj(services.logger).environment);

    expect(String(env.LOG_STORE_URL)).toMatch(/^mongodb:\/\/.+@mongodb:27017\/.+replicaSet=rs0/);
    expect(obj(obj(obj(services.logger).depends_on).mongodb).condition).toBe('service_healthy');
  });

  test('When each service’s environment is read, then it has every variable the native wiring gives it, bound to 0.0.0.0', () => {
    const native = nativeVariables();

    const missing = SERVICES.flatMap((service) => {
      const env = obj(obj(services[service]).environment);
      return native[service].filter((v) => env[v] === undefined).map((v) => `${service}: ${v}`);
    });

    expect(missing).toEqual([]);
    for (const service of SERVICES) {
      expect(obj(obj(services[service]).environment).HOST).toBe('0.0.0.0');
    }
  });

  test('When each service’s environment is filled in from .env.example, then the built service’s --check-config accepts it', async () => {
    const dotenv = parseDotenv(fs.readFileSync(path.join(repoRoot, '.env.example'), 'utf8'));

    const verdicts = await Promise.all(
      SERVICES.map((service) => {
        const env = Object.fromEntries(
          Object.entries(obj(obj(services[service]).environment)).map(([k, v]) => [
            k,
            interpolate(String(v), dotenv),
          ]),
        );
        return configError(service, env);
      }),
    );

    expect(verdicts.filter((error) => error !== null)).toEqual([]);
  }, 120_000);

  test('When the networks are read, then only the front-end, the broker and the published UIs are on edge, and internal has no route out', () => {
    const networksOf = (name: string) =>
      (obj(services[name]).networks as string[] | undefined) ?? [];
    const onEdge = Object.keys(services).filter((name) => networksOf(name).includes('edge'));

    expect(onEdge.sort()).toEqual(['broker', 'frontend', 'mailpit', 'prometheus', 'rabbitmq']);
    expect(obj(obj(compose.networks).internal).internal).toBe(true);
    for (const name of ['postgres', 'mongodb', 'auth', 'logger', 'mail', 'listener']) {
      expect({ name, networks: networksOf(name) }).toEqual({ name, networks: ['internal'] });
    }
  });

  test('When the mesh services are read, then each runs mutual TLS with only its own certificate volume, made by the mesh-certs init step', () => {
    const certs = obj(services['mesh-certs']);
    expect(certs.restart).toBe('no');
    expect(certs.network_mode).toBe('none');

    for (const service of ['auth', 'logger', 'mail', 'listener', 'broker']) {
      const spec = obj(services[service]);
      const env = obj(spec.environment);
      const tlsMounts = ((spec.volumes as string[] | undefined) ?? []).filter((v) =>
        v.startsWith('tls-'),
      );

      expect({ service, mounts: tlsMounts }).toEqual({
        service,
        mounts: [`tls-${service}:/run/secrets/tls:ro`],
      });
      expect(env.MESH_TLS).toBe('required');
      expect(obj(obj(spec.depends_on)['mesh-certs']).condition).toBe(
        'service_completed_successfully',
      );
    }
    const broker = obj(obj(services.broker).environment);
    for (const key of ['AUTH_URL', 'LOGGER_URL', 'MAIL_URL', 'LISTENER_URL']) {
      expect(String(broker[key])).toMatch(/^https:\/\//);
    }
  });

  test('When the services’ RabbitMQ URLs are read, then each connects as its own user, made by the rabbitmq-users init step', () => {
    for (const service of ['auth', 'mail', 'listener', 'broker']) {
      const spec = obj(services[service]);

      expect(String(obj(spec.environment).AMQP_URL)).toMatch(
        new RegExp(
          `^amqp://micromesh-${service}:\\$\\{RABBITMQ_${service.toUpperCase()}_PASSWORD\\}@`,
        ),
      );
      expect(obj(obj(spec.depends_on)['rabbitmq-users']).condition).toBe(
        'service_completed_successfully',
      );
    }
  });

  test('When .env.example is copied to .env, then every variable compose requires is set', () => {
    const text = fs.readFileSync(composeFile, 'utf8');
    const required = [...new Set([...text.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!))];
    const example = fs.readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
    const defined = new Set([...example.matchAll(/^(\w+)=.+$/gm)].map((m) => m[1]!));

    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((v) => !defined.has(v))).toEqual([]);
  });
});
