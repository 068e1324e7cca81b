export { infraEnv } from './infra-env';
export { createTestDatabase, setTestDatabaseReadOnly, type TestDatabase } from './test-database';
export { createTestVhost, type TestVhost } from './test-vhost';
export { waitFor, type WaitOptions } from './wait-for';
export { captureLogs, type CapturedLogs } from './capture-logs';
export {
  startServiceProcess,
  freePort,
  repoRoot,
  type ServiceProcess,
  type ServiceProcessOptions,
} from './service-process';
export { startFreezableProxy, type FreezableProxy } from './freezable-proxy';
export { createJwtKeysDir, type JwtKeysDir, type JwtKey } from './jwt-keys-dir';
export {
  createCertificateAuthority,
  issueCertificate,
  ensureDevCertificates,
  type CertificateAuthority,
  type IssuedCertificate,
  type IssueOptions,
} from '../tls/dev-certificates';
export { startPrivateRabbitMq, type PrivateRabbitMq } from './private-rabbitmq';
export { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
export { processCpuSeconds } from './process-cpu';
