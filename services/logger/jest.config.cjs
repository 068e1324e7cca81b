// The MongoDB adapter's tests need a server: a real one from MONGO_URL, else a FerretDB that the
// global setup starts (and the teardown stops) for the run.
module.exports = require('../../jest.base.cjs')(__dirname, {
  globalSetup: '<rootDir>/test/support/mongo-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/mongo-global-teardown.ts',
});
