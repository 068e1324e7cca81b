// End-to-end suites: each starts the whole mesh as real processes, so they run one at a time.
module.exports = require('../jest.base.cjs')(__dirname, {
  displayName: 'e2e',
  testMatch: ['<rootDir>/e2e/**/*.test.ts'],
  testTimeout: 120_000,
});
