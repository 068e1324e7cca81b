// Shared jest settings for every workspace package. TypeScript is transpiled by swc (no type
// check: `pnpm typecheck` does that as its own step). Workspace libraries map to their sources so
// tests never depend on a stale build.
const path = require('node:path');

const root = __dirname;

module.exports = function jestConfig(dir, overrides = {}) {
  return {
    displayName: path.basename(dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j|mj)s$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
        },
      ],
    },
    // jose is ESM-only: let swc turn it into CommonJS for jest's module system.
    transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/jose@[^/]+/node_modules/)?jose/)'],
    moduleNameMapper: {
      '^@micromesh/contracts$': path.join(root, 'services/contracts/src/index.ts'),
      '^@micromesh/kit$': path.join(root, 'services/kit/src/index.ts'),
      '^@micromesh/kit/testing$': path.join(root, 'services/kit/src/testing/index.ts'),
      '^@micromesh/proto$': path.join(root, 'proto/src/index.ts'),
    },
    moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
    testTimeout: 30_000,
    ...overrides,
  };
};
