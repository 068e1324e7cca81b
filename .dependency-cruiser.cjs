// The house rules for imports, checked by `pnpm lint` (depcruise) so the next drift fails CI.
//
// Every service (auth, broker, listener, logger, mail, frontend) has the same layout:
//   src/main.ts, src/app.ts (composition root), src/config.ts, src/metrics.ts
//   src/domain/       use cases, entities and the ports (interfaces) they need: ports.ts
//   src/adapters/     what implements a port: repositories, clients, publishers, SMTP
//   src/entry-points/ http/, grpc/, amqp/, timers/: call the domain, never an adapter
// Packages (kit, contracts, proto) are imported by package name only; no service imports another.
const SERVICE = '(auth|broker|cli|frontend|listener|logger|mail)';
const LAYERED = '(auth|broker|frontend|listener|logger|mail)';
// Libraries that are infrastructure: only adapters, entry points and the composition root use them.
const INFRASTRUCTURE =
  'node_modules/(pg|pg-[^/]+|amqplib|@grpc/[^/]+|express|nodemailer|mongodb|undici|@opentelemetry/[^/]+|bcrypt|jose|lru-cache|@micromesh/proto)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circle of imports: split the shared part out, or make one side own the type.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-service-imports-another',
      severity: 'error',
      comment:
        'Services talk over the network. Shared code goes to the kit or the contracts package.',
      from: { path: `^services/${SERVICE}/` },
      to: { path: `^services/${SERVICE}/`, pathNot: '^services/$1/' },
    },
    {
      name: 'packages-by-name-only',
      severity: 'error',
      comment:
        'Import another package by its name (@micromesh/kit, @micromesh/contracts, @micromesh/proto), never by a path into its src.',
      from: { path: '^(services/[^/]+|proto|scripts|deploy)/' },
      to: {
        path: '^(services/[^/]+|proto)/src/',
        pathNot: '^$1/',
        dependencyTypesNot: ['aliased'],
      },
    },
    {
      name: 'only-domain-adapters-entry-points',
      severity: 'error',
      comment:
        'A service keeps code in src/domain, src/adapters or src/entry-points (and main/app/config/metrics at the top).',
      from: {},
      to: {
        path: `^services/${LAYERED}/src/`,
        pathNot: [
          `^services/${LAYERED}/src/(domain|adapters|entry-points)/`,
          `^services/${LAYERED}/src/(main|app|config|metrics)\\.ts$`,
        ],
      },
    },
    {
      name: 'domain-looks-inward',
      severity: 'error',
      comment:
        'The domain owns its ports; it never imports an adapter, an entry point or the composition root.',
      from: { path: `^services/${LAYERED}/src/domain/` },
      to: { path: '^services/$1/src/(adapters|entry-points)/|^services/$1/src/(main|app)\\.ts$' },
    },
    {
      name: 'domain-without-infrastructure',
      severity: 'error',
      comment:
        'The domain declares a port; the adapter that implements it is the one that uses the driver or the wire format.',
      from: { path: `^services/${LAYERED}/src/domain/` },
      to: { path: [INFRASTRUCTURE, '^proto/src/'] },
    },
    {
      name: 'entry-points-call-the-domain',
      severity: 'error',
      comment:
        'An entry point calls a use case of the domain; the composition root (app.ts) hands it the adapters.',
      from: { path: `^services/${LAYERED}/src/entry-points/` },
      to: { path: '^services/$1/src/adapters/' },
    },
    {
      name: 'adapters-do-not-call-entry-points',
      severity: 'error',
      comment: 'An adapter implements a port of the domain; it never reaches into an entry point.',
      from: { path: `^services/${LAYERED}/src/adapters/` },
      to: { path: '^services/$1/src/(entry-points/|app\\.ts$|main\\.ts$)' },
    },
    {
      name: 'tests-use-other-services-through-their-api',
      severity: 'error',
      comment:
        "A test reaches another service through that service's API (HTTP, gRPC, AMQP), never its source.",
      from: { path: '^services/([^/]+)/test/' },
      to: { path: `^services/${SERVICE}/src/`, pathNot: '^services/$1/src/' },
    },
    {
      name: 'deploy-and-scripts-use-services-through-their-api',
      severity: 'error',
      comment:
        'Deploy checks and scripts start a service as a process and talk to it; they never import its source.',
      from: { path: '^(deploy|scripts)/' },
      to: { path: `^services/${SERVICE}/src/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage|\\.run|\\.tools|\\.cache)/|proto/src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
