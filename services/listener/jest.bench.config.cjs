// The drain-rate benchmark runs on demand, never in scripts/test:
//   npx tsc -b services/logger services/listener && npx jest -c services/listener/jest.bench.config.cjs
module.exports = require('../../jest.base.cjs')(__dirname, {
  displayName: 'listener-bench',
  testMatch: ['<rootDir>/test/**/*.bench.ts'],
  testTimeout: 600_000,
});
