import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const k8sDir = path.join(repoRoot, 'k8s');
export const composeFile = path.join(repoRoot, 'docker-compose.yml');
export const fixturesDir = path.join(__dirname, '..', 'fixtures');

/** The six deployable services (directories under services/, images micromesh/<name>). */
export const SERVICES = ['auth', 'logger', 'mail', 'listener', 'broker', 'frontend'] as const;
export type ServiceName = (typeof SERVICES)[number];
