import { carriesCredential, isObviousDevLiteral } from './credentials';
import type { Doc } from './yaml-files';

/**
 * What every micromesh Kubernetes manifest set must satisfy (a rendered overlay, or the raw base).
 * Each check returns readable violations; an empty list means the set passes.
 */

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.map(obj) : []);
const nameOf = (doc: Doc): string => String(obj(doc.metadata).name);
const ofKind = (docs: Doc[], kind: string): Doc[] => docs.filter((d) => d.kind === kind);

export interface SecretMode {
  /** dev: only kustomize-generated Secrets holding obvious dev literals; prod/base: no Secrets. */
  allowGeneratedDevSecrets: boolean;
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

function podSpecOf(doc: Doc): Obj {
  const spec = obj(doc.spec);
  if (doc.kind === 'CronJob') return obj(obj(obj(obj(spec.jobTemplate).spec).template).spec);
  return obj(obj(spec.template).spec);
}

function podLabelsOf(doc: Doc): Record<string, string> {
  return obj(obj(obj(doc.spec).template).metadata).labels as Record<string, string>;
}

function containersOf(pod: Obj): Obj[] {
  return [...list(pod.initContainers), ...list(pod.containers)];
}

/** A tag (not latest) or a digest. */
export function imageIsPinned(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const lastSegment = image.split('/').pop() ?? '';
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  return tag !== undefined && tag !== '' && tag !== 'latest';
}

function selects(selector: Obj, labels: Record<string, string>): boolean {
  const match = obj(selector.matchLabels) as Record<string, string>;
  const keys = Object.keys(match);
  // An empty selector selects every pod: that is the default-deny, not the service's own policy.
  return keys.length > 0 && keys.every((k) => labels[k] === match[k]);
}

export function deploymentViolations(docs: Doc[]): string[] {
  const problems: string[] = [];
  const serviceAccounts = new Map(ofKind(docs, 'ServiceAccount').map((sa) => [nameOf(sa), sa]));
  const policies = ofKind(docs, 'NetworkPolicy');
  const hpaTargets = new Set(
    ofKind(docs, 'HorizontalPodAutoscaler').map((h) =>
      String(obj(obj(h.spec).scaleTargetRef).name),
    ),
  );
  const pdbSelectors = ofKind(docs, 'PodDisruptionBudget').map((p) => obj(obj(p.spec).selector));

  for (const deployment of ofKind(docs, 'Deployment')) {
    const name = `Deployment ${nameOf(deployment)}`;
    const pod = podSpecOf(deployment);
    const labels = podLabelsOf(deployment) ?? {};
    const podSecurity = obj(pod.securityContext);

    const saName = pod.serviceAccountName;
    if (typeof saName !== 'string' || saName === '' || saName === 'default') {
      problems.push(`${name}: runs as the default ServiceAccount (set serviceAccountName)`);
    } else if (!serviceAccounts.has(saName)) {
      problems.push(`${name}: ServiceAccount ${saName} is not in the manifests`);
    } else if (serviceAccounts.get(saName)?.automountServiceAccountToken !== false) {
      problems.push(
        `${name}: ServiceAccount ${saName} must set automountServiceAccountToken: false`,
      );
    }
    if (pod.automountServiceAccountToken !== false) {
      problems.push(`${name}: pod must set automountServiceAccountToken: false`);
    }
    if (podSecurity.runAsNonRoot !== true) problems.push(`${name}: pod runAsNonRoot must be true`);
    if (typeof podSecurity.runAsUser !== 'number' || podSecurity.runAsUser === 0) {
      problems.push(`${name}: pod runAsUser must be a non-zero uid`);
    }
    if (obj(podSecurity.seccompProfile).type !== 'RuntimeDefault') {
      problems.push(`${name}: pod seccompProfile must be RuntimeDefault`);
    }

    const tmpVolumes = new Set(
      list(pod.volumes)
        .filter((v) => v.emptyDir !== undefined)
        .map((v) => v.name),
    );
    for (const container of containersOf(pod)) {
      const where = `${name} container ${String(container.name)}`;
      const security = obj(container.securityContext);
      if (security.allowPrivilegeEscalation !== false) {
        problems.push(`${where}: allowPrivilegeEscalation must be false`);
      }
      if (security.readOnlyRootFilesystem !== true) {
        problems.push(`${where}: readOnlyRootFilesystem must be true`);
      }
      const dropped = obj(security.capabilities).drop;
      if (!Array.isArray(dropped) || !dropped.includes('ALL')) {
        problems.push(`${where}: capabilities must drop ALL`);
      }
      if (security.privileged === true) problems.push(`${where}: must not be privileged`);
      const resources = obj(container.resources);
      for (const bound of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (obj(resources[bound])[resource] === undefined) {
            problems.push(`${where}: resources.${bound}.${resource} is missing`);
          }
        }
      }
      const image = String(container.image ?? '');
      if (!imageIsPinned(image)) problems.push(`${where}: image "${image}" is not pinned`);
    }

    for (const container of list(pod.containers)) {
      const where = `${name} container ${String(container.name)}`;
      for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
        if (container[probe] === undefined) problems.push(`${where}: ${probe} is missing`);
      }
      const grpcPort = list(container.ports).find((p) => p.name === 'grpc');
      const usesGrpcProbe = ['livenessProbe', 'readinessProbe'].some(
        (probe) => obj(container[probe]).grpc !== undefined,
      );
      if (grpcPort && !usesGrpcProbe) {
        problems.push(`${where}: serves gRPC but has no grpc: probe`);
      }
      const writableTmp = list(container.volumeMounts).some(
        (m) => m.mountPath === '/tmp' && tmpVolumes.has(m.name),
      );
      if (!writableTmp) problems.push(`${where}: needs an emptyDir mounted at /tmp`);
    }

    const spread = list(pod.topologySpreadConstraints).some(
      (c) =>
        c.topologyKey === 'kubernetes.io/hostname' &&
        c.whenUnsatisfiable === 'DoNotSchedule' &&
        selects(obj(c.labelSelector), labels),
    );
    if (!spread) {
      problems.push(
        `${name}: no topologySpreadConstraints over kubernetes.io/hostname (DoNotSchedule) for its pods, so replicas may share a node and the PDB protects nothing`,
      );
    }

    if (!policies.some((p) => selects(obj(obj(p.spec).podSelector), labels))) {
      problems.push(`${name}: no NetworkPolicy selects its pods`);
    }
    if (!hpaTargets.has(nameOf(deployment))) {
      problems.push(`${name}: no HorizontalPodAutoscaler targets it`);
    }
    if (!pdbSelectors.some((selector) => selects(selector, labels))) {
      problems.push(`${name}: no PodDisruptionBudget covers it`);
    }
  }
  return problems;
}

export function networkPolicyViolations(docs: Doc[]): string[] {
  const policies = ofKind(docs, 'NetworkPolicy');
  const problems: string[] = [];
  const denyAll = policies.find((p) => {
    const spec = obj(p.spec);
    const types = spec.policyTypes as string[] | undefined;
    return (
      Object.keys(obj(obj(spec.podSelector).matchLabels)).length === 0 &&
      types?.includes('Ingress') &&
      types.includes('Egress') &&
      spec.ingress === undefined &&
      spec.egress === undefined
    );
  });
  if (!denyAll) problems.push('no default-deny NetworkPolicy (empty podSelector, no rules)');
  const dns = policies.some((p) =>
    list(obj(p.spec).egress).some((rule) => list(rule.ports).some((port) => port.port === 53)),
  );
  if (!dns) problems.push('no NetworkPolicy allows DNS egress (port 53)');
  return problems;
}

export function imageViolations(docs: Doc[]): string[] {
  return docs
    .filter((d) => WORKLOAD_KINDS.includes(String(d.kind)))
    .flatMap((d) =>
      containersOf(podSpecOf(d))
        .filter((c) => !imageIsPinned(String(c.image ?? '')))
        .map((c) => `${String(d.kind)} ${nameOf(d)}: image "${String(c.image)}" is not pinned`),
    );
}

/** Kustomize's generators append a content hash: name-<10 chars>. */
const GENERATED_NAME = /-[a-z0-9]{10}$/;

export function secretViolations(docs: Doc[], mode: SecretMode): string[] {
  const problems: string[] = [];
  for (const secret of ofKind(docs, 'Secret')) {
    const name = `Secret ${nameOf(secret)}`;
    if (!mode.allowGeneratedDevSecrets) {
      problems.push(`${name}: Secrets must be referenced here, not committed`);
      continue;
    }
    if (!GENERATED_NAME.test(nameOf(secret))) {
      problems.push(`${name}: not from a secretGenerator (dev Secrets are generated)`);
    }
    const values: [string, string][] = [
      ...Object.entries(obj(secret.data)).map(([k, v]): [string, string] => [
        k,
        Buffer.from(String(v), 'base64').toString('utf8'),
      ]),
      ...Object.entries(obj(secret.stringData)).map(([k, v]): [string, string] => [k, String(v)]),
    ];
    for (const [key, value] of values) {
      if (!isObviousDevLiteral(key, value)) {
        problems.push(`${name}: ${key} is not an obvious dev-only literal`);
      }
    }
  }
  // Credentials never sit in ConfigMaps or in a container's literal env.
  for (const configMap of ofKind(docs, 'ConfigMap')) {
    for (const [key, value] of Object.entries(obj(configMap.data))) {
      if (carriesCredential(key, String(value))) {
        problems.push(`ConfigMap ${nameOf(configMap)}: ${key} holds a credential`);
      }
    }
  }
  for (const workload of docs.filter((d) => WORKLOAD_KINDS.includes(String(d.kind)))) {
    for (const container of containersOf(podSpecOf(workload))) {
      for (const env of list(container.env)) {
        if (typeof env.value === 'string' && carriesCredential(String(env.name), env.value)) {
          problems.push(
            `${String(workload.kind)} ${nameOf(workload)}: env ${String(env.name)} holds a credential`,
          );
        }
      }
    }
  }
  return problems;
}

/** Kubernetes quantities and RabbitMQ sizes (Mi, Gi, MiB, GiB, MB, GB, plain bytes) in bytes. */
export function bytesOf(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|[kMGT]B?)?$/.exec(quantity.trim());
  if (!match) return Number.NaN;
  const unit = (match[2] ?? '').replace(/B$/, '');
  const powers: Record<string, number> = {
    '': 1,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (powers[unit] ?? Number.NaN);
}

/** The absolute memory watermark a RabbitMQ configuration text sets, in bytes (undefined: none). */
export function absoluteWatermark(config: string): number | undefined {
  const match = /^\s*vm_memory_high_watermark\.absolute\s*=\s*(\S+)\s*$/m.exec(config);
  return match ? bytesOf(match[1]!) : undefined;
}

/**
 * Every RabbitMQ under a memory limit sets an absolute watermark below it: the default relative
 * one (0.6 of what the node reports) can be computed from the host's memory in a container, and
 * the kernel's OOM kill comes before RabbitMQ's flow control.
 */
export function rabbitmqWatermarkViolations(docs: Doc[]): string[] {
  const problems: string[] = [];
  const configMaps = new Map(ofKind(docs, 'ConfigMap').map((c) => [nameOf(c), obj(c.data)]));
  for (const workload of docs.filter((d) => WORKLOAD_KINDS.includes(String(d.kind)))) {
    const pod = podSpecOf(workload);
    for (const container of list(pod.containers)) {
      if (!/(^|\/)rabbitmq:/.test(String(container.image))) continue;
      const where = `${String(workload.kind)} ${nameOf(workload)}`;
      const limit = bytesOf(String(obj(obj(container.resources).limits).memory ?? ''));
      const mounted = list(container.volumeMounts)
        .filter((m) => String(m.mountPath).startsWith('/etc/rabbitmq'))
        .map((m) => list(pod.volumes).find((v) => v.name === m.name))
        .flatMap((v) => Object.values(configMaps.get(String(obj(v?.configMap).name)) ?? {}));
      const watermark = mounted.map((text) => absoluteWatermark(String(text))).find(Boolean);
      if (watermark === undefined) {
        problems.push(
          `${where}: no vm_memory_high_watermark.absolute in a mounted RabbitMQ config`,
        );
      } else if (!(watermark < limit)) {
        problems.push(`${where}: the memory watermark is not below the container's memory limit`);
      }
    }
  }
  for (const cluster of ofKind(docs, 'RabbitmqCluster')) {
    const spec = obj(cluster.spec);
    const limit = bytesOf(String(obj(obj(spec.resources).limits).memory ?? ''));
    const watermark = absoluteWatermark(String(obj(spec.rabbitmq).additionalConfig ?? ''));
    if (watermark === undefined) {
      problems.push(`RabbitmqCluster ${nameOf(cluster)}: no vm_memory_high_watermark.absolute`);
    } else if (!(watermark < limit)) {
      problems.push(
        `RabbitmqCluster ${nameOf(cluster)}: the memory watermark is not below the limit`,
      );
    }
  }
  return problems;
}

/** Every policy at once. */
export function allK8sViolations(docs: Doc[], mode: SecretMode): string[] {
  return [
    ...deploymentViolations(docs),
    ...networkPolicyViolations(docs),
    ...imageViolations(docs),
    ...secretViolations(docs, mode),
    ...rabbitmqWatermarkViolations(docs),
  ];
}
