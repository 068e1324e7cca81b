import { startFerretDb, type RunningFerretDb } from './ferretdb';

declare global {
  var __MICROMESH_FERRETDB__: RunningFerretDb | undefined;
}

/**
 * Before the logger's suites: the MongoDB server they use. MONGO_URL (a real MongoDB, e.g. the
 * compose replica set) wins; otherwise a FerretDB of this run's own is started, and stopped by the
 * teardown. Workers start after this and inherit the environment it sets (see mongo-server.ts).
 */
export default async function setup(): Promise<void> {
  if (process.env.MONGO_URL) {
    process.env.MICROMESH_TEST_MONGO_URL = process.env.MONGO_URL;
    process.env.MICROMESH_TEST_MONGO_SERVER = 'mongodb';
    return;
  }
  const ferret = await startFerretDb();
  globalThis.__MICROMESH_FERRETDB__ = ferret;
  process.env.MICROMESH_TEST_MONGO_URL = ferret.url;
  process.env.MICROMESH_TEST_MONGO_SERVER = 'ferretdb';
}
