// Every package's suite in one run. The end-to-end suite (scripts/e2e) starts the whole mesh and
// runs on its own: `pnpm test:e2e` (scripts/test runs both).
module.exports = {
  // Global options (jest reads these here, not per project).
  testTimeout: 30_000,
  projects: [
    '<rootDir>/services/contracts',
    '<rootDir>/services/kit',
    '<rootDir>/proto',
    '<rootDir>/services/auth',
    '<rootDir>/services/logger',
    '<rootDir>/services/broker',
    '<rootDir>/services/mail',
    '<rootDir>/services/listener',
    '<rootDir>/services/frontend',
    '<rootDir>/services/cli',
    '<rootDir>/deploy',
  ],
};
