import { serviceSpecs } from '../../../scripts/src/mesh/service-specs';
import { DEFAULT_PORTS } from '../../../scripts/src/mesh/settings';
import { repoRoot, type ServiceName } from './paths';

/**
 * The variables the native launcher (scripts/src/mesh/service-specs.ts, the source of truth for a
 * service's wiring) gives each service: containers must provide the same ones.
 */
export function nativeVariables(): Record<ServiceName, string[]> {
  const specs = serviceSpecs({
    root: repoRoot,
    ports: DEFAULT_PORTS,
    authDatabaseUrl: 'postgres://u:p@h/a',
    mailDatabaseUrl: 'postgres://u:p@h/m',
    brokerDatabaseUrl: 'postgres://u:p@h/b',
    logStoreUrl: 'postgres://u:p@h/l',
    amqpUrl: 'amqp://u:p@h',
    jwtKeysDir: '/keys',
    seedAdmin: { email: 'a@example.com', password: 'p' },
    bcryptCost: 4,
    logLevel: 'info',
    // Mutual TLS on, as scripts/up runs it: containers must provide the TLS_* variables too.
    tlsDir: '/tls',
    tracing: { enabled: true, ratio: 1 },
  });
  return Object.fromEntries(specs.map((s) => [s.name, Object.keys(s.env).sort()])) as Record<
    ServiceName,
    string[]
  >;
}
