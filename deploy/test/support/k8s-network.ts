import type { Doc } from './yaml-files';

/**
 * An offline NetworkPolicy evaluator for the rendered manifests: may this pod open a connection
 * to that pod (or address) on this port? Kubernetes semantics: a pod selected by no policy of a
 * direction is open in that direction; once selected, only what some rule allows gets through,
 * and a connection needs both the sender's egress and the receiver's ingress to allow it.
 */

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null ? (value as Obj) : {};
const list = (value: unknown): Obj[] => (Array.isArray(value) ? value.map(obj) : []);

/** A pod (namespace + labels), or an address outside the cluster (ip only). */
export interface Endpoint {
  namespace?: string;
  /** Labels of the pod's namespace beyond kubernetes.io/metadata.name. */
  namespaceLabels?: Record<string, string>;
  labels?: Record<string, string>;
  ip?: string;
}

export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const s = obj(selector);
  const matchLabels = obj(s.matchLabels) as Record<string, string>;
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return list(s.matchExpressions).every((expr) => {
    const key = String(expr.key);
    const values = (expr.values as string[] | undefined) ?? [];
    switch (expr.operator) {
      case 'In':
        return key in labels && values.includes(labels[key]!);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]!);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  if (base.includes(':') || ip.includes(':')) return false;
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToNumber(base) / size) * size;
  const n = ipToNumber(ip);
  return n >= start && n < start + size;
}

function namespaceLabelsOf(endpoint: Endpoint): Record<string, string> {
  return {
    ...(endpoint.namespace ? { 'kubernetes.io/metadata.name': endpoint.namespace } : {}),
    ...endpoint.namespaceLabels,
  };
}

/** Does one `from`/`to` peer of a rule (in a policy of policyNamespace) cover the endpoint? */
function peerMatches(peer: Obj, endpoint: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock !== undefined) {
    const block = obj(peer.ipBlock);
    if (!endpoint.ip) return false;
    return (
      inCidr(endpoint.ip, String(block.cidr)) &&
      !((block.except as string[] | undefined) ?? []).some((c) => inCidr(endpoint.ip!, c))
    );
  }
  if (endpoint.namespace === undefined) return false;
  const namespaceOk =
    peer.namespaceSelector === undefined
      ? endpoint.namespace === policyNamespace
      : selectorMatches(peer.namespaceSelector, namespaceLabelsOf(endpoint));
  const podOk =
    peer.podSelector === undefined || selectorMatches(peer.podSelector, endpoint.labels ?? {});
  return namespaceOk && podOk;
}

function portMatches(ports: Obj[], port: number): boolean {
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if (p.port === undefined) return true;
    const start = Number(p.port);
    const end = p.endPort === undefined ? start : Number(p.endPort);
    return port >= start && port <= end;
  });
}

function typesOf(spec: Obj): string[] {
  const declared = spec.policyTypes as string[] | undefined;
  if (declared) return declared;
  return ['Ingress', ...(spec.egress !== undefined ? ['Egress'] : [])];
}

/** Whether the direction's policies (of the endpoint's namespace) let the connection through. */
function sideAllows(
  docs: Doc[],
  direction: 'Ingress' | 'Egress',
  self: Endpoint,
  other: Endpoint,
  port: number,
  defaultNamespace: string,
): boolean {
  if (self.namespace === undefined) return true; // outside the cluster: no policy applies
  const policies = docs.filter((d) => {
    if (d.kind !== 'NetworkPolicy') return false;
    const namespace = String(obj(d.metadata).namespace ?? defaultNamespace);
    const spec = obj(d.spec);
    return (
      namespace === self.namespace &&
      typesOf(spec).includes(direction) &&
      selectorMatches(spec.podSelector, self.labels ?? {})
    );
  });
  if (policies.length === 0) return true;
  const rulesKey = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return policies.some((policy) =>
    list(obj(policy.spec)[rulesKey]).some((rule) => {
      const peers = rule[peersKey] === undefined ? undefined : list(rule[peersKey]);
      const peerOk =
        peers === undefined || peers.some((peer) => peerMatches(peer, other, self.namespace!));
      return peerOk && portMatches(list(rule.ports), port);
    }),
  );
}

/** May `from` open a TCP connection to `to` on `port`, by the NetworkPolicies among docs? */
export function connectionAllowed(
  docs: Doc[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  defaultNamespace = 'default',
): boolean {
  return (
    sideAllows(docs, 'Egress', from, to, port, defaultNamespace) &&
    sideAllows(docs, 'Ingress', to, from, port, defaultNamespace)
  );
}
