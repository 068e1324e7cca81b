import path from 'node:path';
import { QUEUE_POLICIES } from '@micromesh/kit';
import { k8sDir } from './support/paths';
import { parseYamlFile } from './support/yaml-files';

/**
 * The listener queue's delivery limit and dead-letter exchange reach RabbitMQ by policy on every
 * path: the provisioning job (scripts/up, scripts/test, compose, the k8s dev overlay) applies the
 * kit's QUEUE_POLICIES; in production the topology operator's Policy resources must say the same.
 * (That the policy takes effect on RabbitMQ is services/listener/test/queue-policy.test.ts.)
 */
type Obj = Record<string, unknown>;

const operatorPolicies = parseYamlFile(
  path.join(k8sDir, 'components', 'operator-stores', 'rabbitmq-policies.yaml'),
).docs.filter((doc) => doc.kind === 'Policy');

describe('RabbitMQ queue policies on every deploy path', () => {
  test("When the production Policy resources are read, then they carry exactly the kit's QUEUE_POLICIES, on the operator's cluster", () => {
    const asTable = operatorPolicies.map((doc) => {
      const spec = doc.spec as Obj;
      return {
        name: spec.name,
        vhost: spec.vhost,
        pattern: spec.pattern,
        'apply-to': spec.applyTo,
        priority: spec.priority,
        definition: spec.definition,
        cluster: (spec.rabbitmqClusterReference as Obj | undefined)?.name,
      };
    });

    expect(asTable).toEqual(
      QUEUE_POLICIES.map((policy) => ({ ...policy, vhost: '/', cluster: 'micromesh-rabbitmq' })),
    );
  });

  test('When the listener policy is read, then its pattern matches the listener queue alone and it dead-letters at a limit above RabbitMQ 4’s built-in 20', () => {
    const listener = QUEUE_POLICIES.find((policy) => policy.name === 'micromesh-listener');
    const pattern = new RegExp(String(listener?.pattern));

    expect(pattern.test('logs.listener')).toBe(true);
    expect(pattern.test('logs.listener.dead')).toBe(false);
    expect(pattern.test('logsXlistener')).toBe(false);
    expect(Number(listener?.definition['delivery-limit'])).toBeGreaterThan(20);
    expect(listener?.definition['dead-letter-exchange']).toBe('logs_topic.dlx');
  });
});
