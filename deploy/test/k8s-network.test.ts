import { connectionAllowed, type Endpoint } from './support/k8s-network';
import { findKubectl, renderOverlay } from './support/kustomize';
import { SERVICES, type ServiceName } from './support/paths';
import type { Doc } from './support/yaml-files';

/**
 * Who can reach whom once the rendered overlay is applied (NetworkPolicies evaluated offline): the
 * paths the mesh needs are open, with everything else denied by default. For prod that includes
 * the operator-managed stores of the operator-stores component: their clients, their operators,
 * their members among themselves and the Kubernetes API, and cert-manager's HTTP-01 solver.
 */
type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};
const at = (value: unknown, ...keys: string[]): Obj =>
  keys.reduce<Obj>((current, key) => obj(current[key]), obj(value));

/** Where each service serves /metrics: its HTTP port, but the broker's internal METRICS_PORT. */
const PORTS: Record<ServiceName, number> = {
  broker: 9080,
  frontend: 8081,
  auth: 8082,
  logger: 8083,
  mail: 8084,
  listener: 8085,
};
/** An address of the API server's endpoint (a control-plane node: outside the pod network). */
const API_SERVER: Endpoint = { ip: '172.18.0.2' };

const kubectl = findKubectl();
const describeRendered = kubectl ? describe : describe.skip;

/** The labels each store's pods carry: from the dev StatefulSets, or from the operators' resources. */
function storePods(docs: Doc[], namespace: string): Record<string, Endpoint> {
  const pods: Record<string, Endpoint> = {};
  const add = (labels: Obj) => {
    const store = labels['micromesh.io/store'];
    if (typeof store === 'string')
      pods[store] = { namespace, labels: labels as Record<string, string> };
  };
  for (const doc of docs) {
    if (doc.kind === 'StatefulSet') add(at(doc, 'spec', 'template', 'metadata', 'labels'));
    if (doc.kind === 'Cluster') add(at(doc, 'spec', 'inheritedMetadata', 'labels'));
    if (doc.kind === 'RabbitmqCluster') {
      add({
        'app.kubernetes.io/name': String(at(doc, 'metadata').name),
        ...at(doc, 'spec', 'override', 'statefulSet', 'spec', 'template', 'metadata', 'labels'),
      });
    }
    if (doc.kind === 'MongoDBCommunity') {
      add(at(doc, 'spec', 'statefulSet', 'spec', 'template', 'metadata', 'labels'));
    }
  }
  return pods;
}

describe.each([
  { overlay: 'dev', namespace: 'micromesh-dev' },
  { overlay: 'prod', namespace: 'micromesh' },
] as const)('NetworkPolicies of the $overlay overlay', ({ overlay, namespace }) => {
  let docs: Doc[];
  let pod: (service: ServiceName) => Endpoint;
  let stores: Record<string, Endpoint>;
  const allowed = (from: Endpoint, to: Endpoint, port: number) =>
    connectionAllowed(docs, from, to, port, namespace);

  describeRendered('(rendered by kubectl kustomize)', () => {
    beforeAll(() => {
      docs = renderOverlay(kubectl!, overlay);
      const labels = new Map(
        docs
          .filter((d) => d.kind === 'Deployment')
          .map((d) => [
            String(at(d, 'metadata').name),
            at(d, 'spec', 'template', 'metadata', 'labels') as Record<string, string>,
          ]),
      );
      pod = (service) => ({ namespace, labels: labels.get(service) ?? {} });
      stores = storePods(docs, namespace);
    });

    test('When the mesh’s own paths are checked, then the ingress controller, the broker and the listener reach exactly their peers', () => {
      const ingress: Endpoint = {
        namespace: 'ingress-nginx',
        labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      };
      const open = [
        allowed(ingress, pod('frontend'), 8081),
        allowed(ingress, pod('broker'), 8080),
        allowed(pod('broker'), pod('auth'), 8082),
        allowed(pod('broker'), pod('logger'), 8083),
        allowed(pod('broker'), pod('logger'), 50051),
        allowed(pod('broker'), pod('mail'), 8084),
        allowed(pod('broker'), pod('listener'), 8085),
        allowed(pod('listener'), pod('logger'), 50051),
      ];
      const closed = [
        allowed(ingress, pod('auth'), 8082),
        allowed(pod('frontend'), pod('auth'), 8082),
        allowed(pod('mail'), pod('logger'), 50051),
      ];

      expect(open.every(Boolean)).toBe(true);
      expect(closed.some(Boolean)).toBe(false);
    });

    test('When each service’s store is checked, then the service reaches it and no other service does', () => {
      const clients: [string, number, ServiceName[]][] = [
        ['postgres', 5432, ['auth', 'mail', 'broker']],
        ['mongodb', 27017, ['logger']],
        ['rabbitmq', 5672, ['auth', 'mail', 'listener', 'broker']],
      ];

      const result = clients.flatMap(([store, port, users]) =>
        SERVICES.map((service) => ({
          path: `${service} → ${store}:${port}`,
          open: stores[store] !== undefined && allowed(pod(service), stores[store], port),
          expected: users.includes(service),
        })),
      );

      expect(result.filter((r) => r.open !== r.expected).map((r) => r.path)).toEqual([]);
    });

    test('When Prometheus (namespace monitoring) scrapes, then it reaches every service on the port its prometheus.io/port annotation names', () => {
      const prometheus: Endpoint = {
        namespace: 'monitoring',
        labels: { 'app.kubernetes.io/name': 'prometheus' },
      };
      const annotated = docs
        .filter((d) => d.kind === 'Deployment')
        .map((d) => ({
          service: String(at(d, 'metadata').name) as ServiceName,
          annotations: at(d, 'spec', 'template', 'metadata', 'annotations'),
        }));

      const scrapes = annotated.map(({ service, annotations }) => ({
        service,
        scrape: annotations['prometheus.io/scrape'],
        port: Number(annotations['prometheus.io/port']),
        path: annotations['prometheus.io/path'],
        open: allowed(prometheus, pod(service), Number(annotations['prometheus.io/port'])),
      }));

      expect(scrapes.sort((x, y) => x.service.localeCompare(y.service))).toEqual(
        [...SERVICES].sort().map((service) => ({
          service,
          scrape: 'true',
          port: PORTS[service],
          path: '/metrics',
          open: true,
        })),
      );
      expect(allowed(prometheus, stores.postgres!, 5432)).toBe(false);
    });

    if (overlay === 'prod') {
      test('When the operator-stores component is rendered, then a three-instance CloudNativePG Cluster, RabbitmqCluster and MongoDBCommunity replica set run the stores', () => {
        const replicas = Object.fromEntries(
          docs
            .filter((d) =>
              ['Cluster', 'RabbitmqCluster', 'MongoDBCommunity'].includes(String(d.kind)),
            )
            .map((d) => {
              const spec = at(d, 'spec');
              return [String(d.kind), spec.instances ?? spec.replicas ?? spec.members];
            }),
        );

        expect(replicas).toEqual({ Cluster: 3, RabbitmqCluster: 3, MongoDBCommunity: 3 });
        expect(Object.keys(stores).sort()).toEqual(['mongodb', 'postgres', 'rabbitmq']);
      });

      test('When the operators, the members and the API server are checked, then each store can be run: operator → pod, member ↔ member, pod → API server', () => {
        const cnpg: Endpoint = {
          namespace: 'cnpg-system',
          labels: { 'app.kubernetes.io/name': 'cloudnative-pg' },
        };
        const rabbitOperator: Endpoint = {
          namespace: 'rabbitmq-system',
          labels: {
            'app.kubernetes.io/name': 'rabbitmq-cluster-operator',
            'app.kubernetes.io/component': 'rabbitmq-operator',
          },
        };
        const mongoOperator: Endpoint = {
          namespace,
          labels: { name: 'mongodb-kubernetes-operator' },
        };
        const { postgres, rabbitmq, mongodb } = stores as Record<string, Endpoint>;

        const paths: Record<string, boolean> = {
          'cnpg operator → instance manager 8000': allowed(cnpg, postgres!, 8000),
          'cnpg operator → postgres 5432': allowed(cnpg, postgres!, 5432),
          'postgres ↔ postgres 5432 (replication)': allowed(postgres!, postgres!, 5432),
          'postgres → API server 443': allowed(postgres!, API_SERVER, 443),
          'rabbitmq operator → management 15672': allowed(rabbitOperator, rabbitmq!, 15672),
          'rabbitmq ↔ rabbitmq 4369 (epmd)': allowed(rabbitmq!, rabbitmq!, 4369),
          'rabbitmq ↔ rabbitmq 25672 (distribution)': allowed(rabbitmq!, rabbitmq!, 25672),
          'rabbitmq → API server 443 (peer discovery)': allowed(rabbitmq!, API_SERVER, 443),
          'mongodb ↔ mongodb 27017': allowed(mongodb!, mongodb!, 27017),
          'mongodb → API server 443 (agent)': allowed(mongodb!, API_SERVER, 443),
          'mongodb operator → API server 6443': allowed(mongoOperator, API_SERVER, 6443),
        };

        expect(
          Object.entries(paths)
            .filter(([, open]) => !open)
            .map(([path]) => path),
        ).toEqual([]);
        expect(allowed(pod('broker'), API_SERVER, 443)).toBe(false);
      });

      test('When cert-manager solves the Ingress certificate’s HTTP-01 challenge, then the ingress controller reaches the solver pod', () => {
        const ingress: Endpoint = {
          namespace: 'ingress-nginx',
          labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
        };
        const solver: Endpoint = {
          namespace,
          labels: { 'acme.cert-manager.io/http01-solver': 'true' },
        };

        expect(allowed(ingress, solver, 8089)).toBe(true);
      });

      test('When mail sends through the external SMTP relay, then egress to it on 587 is allowed', () => {
        expect(allowed(pod('mail'), { ip: '203.0.113.10' }, 587)).toBe(true);
        expect(allowed(pod('auth'), { ip: '203.0.113.10' }, 587)).toBe(false);
      });
    }
  });
});
