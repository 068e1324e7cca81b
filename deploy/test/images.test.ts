import path from 'node:path';
import { parseDockerfile } from './support/dockerfile';
import { findKubectl, renderOverlay } from './support/kustomize';
import { composeFile, repoRoot } from './support/paths';
import { parseYamlFile, type Doc } from './support/yaml-files';

/**
 * deploy/images.yaml names each third-party image once; every place that deploys one (compose,
 * the rendered overlays, the operators' resources, the Dockerfile) must use exactly that, so the
 * versions cannot drift apart between compose and Kubernetes.
 */
type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};

const [catalogue] = parseYamlFile(path.join(repoRoot, 'deploy', 'images.yaml')).docs as [
  Record<string, string>,
];
const named = new Set(Object.values(catalogue));
/** Our own images: built from deploy/Dockerfile, tagged with the release. */
const ours = (image: string) => /(^|\/)micromesh\/[a-z]+:/.test(image);

interface Use {
  where: string;
  image: string;
}

function composeUses(): Use[] {
  const [compose] = parseYamlFile(composeFile).docs as [Doc];
  return Object.entries(obj(compose.services))
    .map(([name, service]) => ({
      where: `docker-compose.yml ${name}`,
      image: String(obj(service).image),
    }))
    .filter((use) => !ours(use.image));
}

function workloadUses(docs: Doc[], overlay: string): Use[] {
  const uses: Use[] = [];
  for (const doc of docs) {
    const where = `${overlay} ${String(doc.kind)} ${String(obj(doc.metadata).name)}`;
    const pod = obj(obj(obj(doc.spec).template).spec);
    for (const container of [
      ...((pod.initContainers as Obj[] | undefined) ?? []),
      ...((pod.containers as Obj[] | undefined) ?? []),
    ]) {
      if (!ours(String(container.image))) uses.push({ where, image: String(container.image) });
    }
    const spec = obj(doc.spec);
    if (doc.kind === 'Cluster') uses.push({ where, image: String(spec.imageName) });
    if (doc.kind === 'RabbitmqCluster') uses.push({ where, image: String(spec.image) });
    if (doc.kind === 'MongoDBCommunity')
      uses.push({ where, image: `mongo:${String(spec.version)}` });
  }
  return uses;
}

const kubectl = findKubectl();
const uses: Use[] = [
  ...composeUses(),
  {
    where: 'deploy/Dockerfile NODE_IMAGE',
    image: parseDockerfile(path.join(repoRoot, 'deploy', 'Dockerfile')).args.NODE_IMAGE ?? '',
  },
  ...(kubectl
    ? (['dev', 'prod'] as const).flatMap((overlay) =>
        workloadUses(renderOverlay(kubectl, overlay), `k8s/overlays/${overlay}`),
      )
    : []),
];

describe('deploy/images.yaml (each third-party image named once)', () => {
  test('When every image compose, the overlays, the operator resources and the Dockerfile deploy is listed, then each is one deploy/images.yaml names', () => {
    expect(uses.filter((use) => !named.has(use.image))).toEqual([]);
  });

  test('When deploy/images.yaml is read, then every image it names is deployed somewhere', () => {
    const used = new Set(uses.map((use) => use.image));

    expect([...named].filter((image) => !used.has(image))).toEqual([]);
  });

  test('When the two PostgreSQL images are compared, then they carry the same release', () => {
    const release = (image = '') => /:(\d+\.\d+)/.exec(image)?.[1];

    expect(release(catalogue['postgres-cnpg'])).toBe(release(catalogue.postgres));
  });

  test('When the RabbitMQ image is read, then it is a 4.1.x release with the management plugin', () => {
    expect(catalogue.rabbitmq).toMatch(/^rabbitmq:4\.1\.\d+-management$/);
  });
});
