import fs from 'node:fs';
import path from 'node:path';
import { findKubectl, rawResources, renderOverlay } from './support/kustomize';
import { schemaErrors } from './support/k8s-schema';
import {
  deploymentViolations,
  imageViolations,
  networkPolicyViolations,
  rabbitmqWatermarkViolations,
  secretViolations,
  type SecretMode,
} from './support/k8s-policy';
import { nativeVariables } from './support/native-wiring';
import { k8sDir, SERVICES } from './support/paths';
import { configError } from './support/service-configs';
import { parseYamlFile, yamlFilesUnder, type Doc } from './support/yaml-files';

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};
const named = (docs: Doc[], kind: string) =>
  docs.filter((d) => d.kind === kind).map((d) => String(obj(d.metadata).name));

const manifestFiles = yamlFilesUnder(k8sDir);
const relative = (file: string) => path.relative(k8sDir, file);

/**
 * The manifest sets to check. With kubectl on PATH: what `kubectl kustomize` renders for each
 * overlay (exactly what `kubectl apply -k` would send). Without it: the raw base resources.
 */
interface ManifestSet {
  what: string;
  load: () => Doc[];
  secrets: SecretMode;
  overlay?: 'dev' | 'prod';
}
const kubectl = findKubectl();
const rawBase = (): Doc[] =>
  rawResources(yamlFilesUnder(path.join(k8sDir, 'base')).map(parseYamlFile));
const manifestSets: ManifestSet[] = kubectl
  ? [
      {
        what: 'the dev overlay rendered by kubectl kustomize',
        load: () => renderOverlay(kubectl, 'dev'),
        secrets: { allowGeneratedDevSecrets: true },
        overlay: 'dev',
      },
      {
        what: 'the prod overlay rendered by kubectl kustomize',
        load: () => renderOverlay(kubectl, 'prod'),
        secrets: { allowGeneratedDevSecrets: false },
        overlay: 'prod',
      },
    ]
  : [
      {
        what: 'the raw base manifests (kubectl is not on PATH, so overlays are not rendered)',
        load: rawBase,
        secrets: { allowGeneratedDevSecrets: false },
      },
    ];

describe('k8s/ files', () => {
  test.each(manifestFiles.map(relative))(
    'When %s is parsed, then it is valid YAML with at least one document',
    (file) => {
      const { docs } = parseYamlFile(path.join(k8sDir, file));

      expect(docs.length).toBeGreaterThan(0);
    },
  );

  test('When every raw resource (base and overlays, patches aside) is validated offline, then each matches its Kubernetes schema', () => {
    const resources = rawResources(manifestFiles.map(parseYamlFile));

    const errors = schemaErrors(resources);

    expect(resources.length).toBeGreaterThan(40);
    expect(errors).toEqual([]);
  });

  test('When the committed manifests are searched, then none is a Secret and only the dev overlay generates any', () => {
    const files = manifestFiles.map(parseYamlFile);

    const committedSecrets = files.flatMap(({ file, docs }) =>
      docs.filter((d) => d.kind === 'Secret').map(() => relative(file)),
    );
    const generators = files
      .filter(({ docs }) => docs.some((d) => d.kind === 'Kustomization' && d.secretGenerator))
      .map(({ file }) => relative(file));

    expect(committedSecrets).toEqual([]);
    expect(generators).toEqual([path.join('overlays', 'dev', 'kustomization.yaml')]);
  });
});

describe.each(manifestSets)('$what', ({ load, secrets, overlay }) => {
  let docs: Doc[];
  beforeAll(() => {
    docs = load();
  });

  test('When each object is validated offline with kubernetes-models, then it matches the Kubernetes schema', () => {
    expect(schemaErrors(docs)).toEqual([]);
  });

  test('When the workloads are listed, then each service has a Deployment, Service, ServiceAccount, ConfigMap, HPA and PDB', () => {
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'HorizontalPodAutoscaler']) {
      expect(named(docs, kind)).toEqual(expect.arrayContaining([...SERVICES]));
    }
    expect(named(docs, 'PodDisruptionBudget')).toEqual(expect.arrayContaining([...SERVICES]));
    expect(named(docs, 'ConfigMap')).toEqual(
      expect.arrayContaining(
        SERVICES.map((s) => expect.stringMatching(new RegExp(`^${s}-config`))),
      ),
    );
  });

  test('When each Deployment is checked, then it has probes, resources, the restricted security context, its ServiceAccount, a NetworkPolicy, an HPA, a PDB and a spread over nodes', () => {
    expect(deploymentViolations(docs)).toEqual([]);
  });

  test('When the NetworkPolicies are checked, then traffic is denied by default and DNS egress is allowed', () => {
    expect(networkPolicyViolations(docs)).toEqual([]);
  });

  test('When each RabbitMQ under a memory limit is checked, then it sets an absolute memory watermark below that limit', () => {
    expect(rabbitmqWatermarkViolations(docs)).toEqual([]);
  });

  test('When the images are checked, then every one is pinned by tag or digest (never latest)', () => {
    expect(imageViolations(docs)).toEqual([]);
  });

  test('When Secrets and settings are checked, then no plaintext credential is committed', () => {
    expect(secretViolations(docs, secrets)).toEqual([]);
  });

  test('When the logger is probed, then its readiness is the gRPC health service on 50051, or its HTTPS /readyz under mutual TLS (kubelet’s gRPC probe cannot speak TLS)', () => {
    const logger = docs.find((d) => d.kind === 'Deployment' && obj(d.metadata).name === 'logger');
    const container = (obj(obj(obj(logger?.spec).template).spec).containers as Obj[])[0];
    const mtls = docs.some(
      (d) => d.kind === 'Certificate' && obj(d.metadata).name === 'logger-tls',
    );

    expect(obj(container?.readinessProbe).grpc ?? obj(container?.readinessProbe).httpGet).toEqual(
      mtls ? { path: '/readyz', port: 'http', scheme: 'HTTPS' } : { port: 50051 },
    );
  });

  if (overlay) {
    test('When mutual TLS is read, then cert-manager issues one certificate per mesh service from the mesh CA, and each Deployment mounts only its own', () => {
      const certificates = docs.filter((d) => d.kind === 'Certificate');
      const byName = new Map(certificates.map((c) => [String(obj(c.metadata).name), obj(c.spec)]));

      expect(obj(byName.get('micromesh-ca')).isCA).toBe(true);
      for (const service of ['auth', 'logger', 'mail', 'listener', 'broker']) {
        expect(byName.get(`${service}-tls`)).toMatchObject({
          commonName: service,
          dnsNames: [service],
          secretName: `${service}-tls`,
          issuerRef: { name: 'micromesh-ca', kind: 'Issuer' },
        });
        const deployment = docs.find(
          (d) => d.kind === 'Deployment' && obj(d.metadata).name === service,
        );
        const volumes = (obj(obj(obj(deployment?.spec).template).spec).volumes as Obj[]) ?? [];
        const secrets = volumes
          .map((v) => String(obj(v.secret).secretName))
          .filter((name) => name.endsWith('-tls'));
        expect({ service, secrets }).toEqual({ service, secrets: [`${service}-tls`] });
      }
    });
  }

  test('When the Ingress is read, then it routes one host to the frontend and one to the broker', () => {
    const ingress = docs.find((d) => d.kind === 'Ingress');
    const backends = (obj(ingress?.spec).rules as Obj[]).map(
      (rule) => obj(obj((obj(rule.http).paths as Obj[])[0]?.backend).service).name,
    );

    expect(backends.sort()).toEqual(['broker', 'frontend']);
  });

  if (overlay === 'dev') {
    test('When the dev dependencies are listed, then PostgreSQL, MongoDB, RabbitMQ and Mailpit are StatefulSets with PVCs', () => {
      const statefulSets = docs.filter((d) => d.kind === 'StatefulSet');

      expect(statefulSets.map((s) => obj(s.metadata).name).sort()).toEqual([
        'mailpit',
        'mongodb',
        'postgres',
        'rabbitmq',
      ]);
      for (const set of statefulSets) {
        expect(obj(set.spec).volumeClaimTemplates).toHaveLength(1);
      }
    });

    test('When each service’s ConfigMap and Secret are combined, then they provide every variable the native wiring gives it', () => {
      const native = nativeVariables();
      const data = (kind: string, prefix: string) =>
        docs
          .filter((d) => d.kind === kind && String(obj(d.metadata).name).startsWith(prefix))
          .flatMap((d) => Object.keys(obj(d.data)));

      const missing = SERVICES.flatMap((service) => {
        const provided = new Set([
          ...data('ConfigMap', `${service}-config`),
          ...data('Secret', `${service}-secrets`),
        ]);
        return native[service].filter((v) => !provided.has(v)).map((v) => `${service}: ${v}`);
      });

      expect(missing).toEqual([]);
    });

    test('When the services’ RabbitMQ URLs are read, then each connects as its own user, which the rabbitmq-users Job makes', () => {
      for (const service of ['auth', 'mail', 'listener', 'broker']) {
        const secret = docs.find(
          (d) =>
            d.kind === 'Secret' && String(obj(d.metadata).name).startsWith(`${service}-secrets`),
        );
        const url = Buffer.from(String(obj(secret?.data).AMQP_URL), 'base64').toString('utf8');

        expect(url).toMatch(new RegExp(`^amqp://micromesh-${service}:`));
      }
      expect(named(docs, 'Job')).toContain('rabbitmq-users');
    });

    test('When each service’s ConfigMap and Secret are handed to the built service’s --check-config, then it accepts them', async () => {
      const envOf = (service: string): Record<string, string> => {
        const pick = (kind: string, prefix: string) =>
          docs.filter((d) => d.kind === kind && String(obj(d.metadata).name).startsWith(prefix));
        const config = pick('ConfigMap', `${service}-config`).map((d) => obj(d.data));
        const secrets = pick('Secret', `${service}-secrets`).map((d) =>
          Object.fromEntries(
            Object.entries(obj(d.data)).map(([k, v]) => [
              k,
              Buffer.from(String(v), 'base64').toString('utf8'),
            ]),
          ),
        );
        return Object.assign({}, ...config, ...secrets) as Record<string, string>;
      };

      const verdicts = await Promise.all(
        SERVICES.map((service) => configError(service, envOf(service))),
      );

      expect(verdicts.filter((error) => error !== null)).toEqual([]);
    }, 120_000);
  }

  if (overlay === 'prod') {
    test('When the Secrets the prod overlay references (workloads and operator resources) are listed, then deploy/README.md shows how to create each one', () => {
      const pods = docs
        .filter((d) => d.kind === 'Deployment')
        .map((d) => obj(obj(obj(d.spec).template).spec));
      const referenced = new Set([
        ...pods.flatMap((pod) =>
          (pod.containers as Obj[]).flatMap((c) =>
            ((c.envFrom as Obj[] | undefined) ?? []).map((e) => obj(e.secretRef).name),
          ),
        ),
        ...pods.flatMap((pod) =>
          ((pod.volumes as Obj[] | undefined) ?? []).map((v) => obj(v.secret).secretName),
        ),
      ]);
      // The operators' resources name Secrets too: database owners' and the logger's passwords.
      const spec = (kind: string) => obj(docs.find((d) => d.kind === kind)?.spec);
      const cluster = spec('Cluster');
      referenced.add(obj(obj(obj(cluster.bootstrap).initdb).secret).name);
      for (const role of (obj(cluster.managed).roles as Obj[] | undefined) ?? []) {
        referenced.add(obj(role.passwordSecret).name);
      }
      for (const user of (spec('MongoDBCommunity').users as Obj[] | undefined) ?? []) {
        referenced.add(obj(user.passwordSecretRef).name);
      }
      referenced.delete(undefined);
      // cert-manager makes these from the overlay's Certificates; nobody creates them by hand.
      for (const certificate of docs.filter((d) => d.kind === 'Certificate')) {
        referenced.delete(obj(certificate.spec).secretName as string);
      }
      const readme = fs.readFileSync(path.join(k8sDir, '..', 'deploy', 'README.md'), 'utf8');

      const undocumented = [...referenced].filter(
        (name) => !readme.includes(`create secret generic ${String(name)} `),
      );

      expect(referenced.size).toBeGreaterThanOrEqual(9);
      expect(undocumented).toEqual([]);
    });

    test('When the prod overlay is rendered, then it only references Secrets and uses registry images', () => {
      const images = docs
        .filter((d) => d.kind === 'Deployment')
        .map((d) => (obj(obj(obj(d.spec).template).spec).containers as Obj[])[0]?.image);

      expect(named(docs, 'Secret')).toEqual([]);
      expect(images.every((i) => String(i).startsWith('registry.example.com/'))).toBe(true);
    });
  }
});

test('When the overlays are listed, then dev and prod both exist', () => {
  expect(fs.readdirSync(path.join(k8sDir, 'overlays')).sort()).toEqual(['dev', 'prod']);
});
