import path from 'node:path';
import { composePolicyViolations, composeSchemaErrors } from './support/compose-checks';
import { allK8sViolations } from './support/k8s-policy';
import { schemaErrors } from './support/k8s-schema';
import { fixturesDir } from './support/paths';
import { checkedSettings, configError, minimalEnv } from './support/service-configs';
import { parseYamlFile, type Doc } from './support/yaml-files';

describe('deliberately broken fixtures (the checks catch what they claim to)', () => {
  describe('fixtures/broken-manifests.yaml', () => {
    const { docs } = parseYamlFile(path.join(fixturesDir, 'broken-manifests.yaml'));

    test('When it is validated offline, then the schema check reports the non-integer containerPort', () => {
      expect(schemaErrors(docs)).toEqual([
        expect.stringMatching(/^Deployment careless: .*containerPort must be integer/),
      ]);
    });

    test('When the policies run, then every broken rule is reported', () => {
      const violations = allK8sViolations(docs, { allowGeneratedDevSecrets: false });

      expect(violations).toEqual(
        expect.arrayContaining([
          'Deployment careless: runs as the default ServiceAccount (set serviceAccountName)',
          'Deployment careless: pod runAsNonRoot must be true',
          'Deployment careless: pod seccompProfile must be RuntimeDefault',
          'Deployment careless container careless: readOnlyRootFilesystem must be true',
          'Deployment careless container careless: allowPrivilegeEscalation must be false',
          'Deployment careless container careless: capabilities must drop ALL',
          'Deployment careless container careless: must not be privileged',
          'Deployment careless container careless: resources.limits.memory is missing',
          'Deployment careless container careless: image "micromesh/careless:latest" is not pinned',
          'Deployment careless container careless: livenessProbe is missing',
          'Deployment careless container careless: readinessProbe is missing',
          'Deployment careless: no NetworkPolicy selects its pods',
          'Deployment careless: no HorizontalPodAutoscaler targets it',
          'Deployment careless: no PodDisruptionBudget covers it',
          'no default-deny NetworkPolicy (empty podSelector, no rules)',
          'Secret careless-credentials: Secrets must be referenced here, not committed',
          'ConfigMap careless-config: AMQP_URL holds a credential',
          'Deployment careless: env DATABASE_URL holds a credential',
        ]),
      );
    });

    test('When the same Secret is judged as a dev overlay would be, then its real-looking password is still refused', () => {
      const violations = allK8sViolations(docs, { allowGeneratedDevSecrets: true });

      expect(violations).toEqual(
        expect.arrayContaining([
          'Secret careless-credentials: not from a secretGenerator (dev Secrets are generated)',
          'Secret careless-credentials: DB_PASSWORD is not an obvious dev-only literal',
        ]),
      );
    });
  });

  describe('fixtures/broken-compose.yml', () => {
    const [compose] = parseYamlFile(path.join(fixturesDir, 'broken-compose.yml')).docs as [Doc];

    test('When it is validated against the Compose Specification schema, then the unknown key is reported', () => {
      expect(composeSchemaErrors(compose)).toEqual([
        expect.stringMatching(/^\/services\/app .*additional properties \(restart_policy\)/),
      ]);
    });

    test('When the policies run, then the missing health checks, bare depends_on, unpinned images, published database port and literal password are reported', () => {
      const violations = composePolicyViolations(compose, { allowedPublishedPorts: {} });

      expect(violations.sort()).toEqual(
        [
          'app: depends_on must name a condition (use the long form)',
          'app: no healthcheck',
          'app: no pinned image name (build-only services get an image: with a tag)',
          'db: POSTGRES_PASSWORD is a literal credential (take it from .env)',
          'db: image "postgres:latest" is not pinned',
          'db: no healthcheck',
          'db: publishes port 5432',
        ].sort(),
      );
    });
  });

  describe('an environment the built service refuses (--check-config)', () => {
    test('When a required variable is missing, then the service names it in one line', async () => {
      await expect(configError('auth', { AUTH_JWT_KEYS_DIR: '/keys' })).resolves.toBe(
        'auth: invalid configuration: AUTH_DATABASE_URL is required',
      );
    }, 60_000);

    test('When a setting is not a number, then the service names it, and its settings are not reported', async () => {
      const env = { ...minimalEnv('mail'), SHUTDOWN_TIMEOUT_MS: 'soon' };

      await expect(configError('mail', env)).resolves.toMatch(
        /^mail: invalid configuration: SHUTDOWN_TIMEOUT_MS: /,
      );
      await expect(checkedSettings('mail', env)).rejects.toThrow(/SHUTDOWN_TIMEOUT_MS/);
    }, 60_000);
  });
});
