// Shared jest settings for every workspace package. TypeScript is transpiled by swc (no type
// check: `pnpm typecheck` does that as its own step). Workspace libraries map to their sources so
// tests never depend on a stale build.
const path = require('node:path');

const root = __dirname;
// Packages published as ES modules only (jose, cockatiel, p-limit, juice and what they load): swc
// turns them into CommonJS for jest's module system, as Node itself loads them with require(esm).
const ESM_ONLY = [
  'jose',
  'cockatiel',
  'p-limit',
  'yocto-queue',
  'juice',
  'postcss-nesting',
  '@csstools/selector-specificity',
  '@csstools/selector-resolve-nested',
  'entities',
];
const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// pnpm's store folder spells a scope's slash as '+': .pnpm/@scope+name@1.2.3/node_modules/@scope/name/
const esmNames = ESM_ONLY.map(escape).join('|');
const esmStoreNames = ESM_ONLY.map((n) => escape(n.replace('/', '+'))).join('|');

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
    transformIgnorePatterns: [
      `/node_modules/(?!(\\.pnpm/(${esmStoreNames})@[^/]+/node_modules/)?(${esmNames})/)`,
    ],
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
