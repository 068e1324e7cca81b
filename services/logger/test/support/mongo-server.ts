import { randomBytes } from 'node:crypto';

/** The MongoDB server of this test run (set up by mongo-global-setup.ts). */
export const mongoServer = {
  url: process.env.MICROMESH_TEST_MONGO_URL ?? '',
  /** 'mongodb' = a real MongoDB from MONGO_URL; 'ferretdb' = the run's own FerretDB. */
  kind: (process.env.MICROMESH_TEST_MONGO_SERVER ?? 'none') as 'mongodb' | 'ferretdb' | 'none',
};

/** Title of a describe block whose tests need a real MongoDB (scripts/test counts them). */
export const NEEDS_REAL_MONGODB = 'needs a real MongoDB (MONGO_URL)';

/**
 * `describe` where MONGO_URL names a real MongoDB; elsewhere its tests are reported skipped under
 * NEEDS_REAL_MONGODB, which scripts/test counts and prints — they are what FerretDB cannot do.
 */
export const describeOnRealMongo = (title: string, body: () => void) =>
  (mongoServer.kind === 'mongodb' ? describe : describe.skip)(
    `${NEEDS_REAL_MONGODB}: ${title}`,
    body,
  );

/** A URL of the run's server with a fresh database name in its path. */
export function freshMongoUrl(prefix: string): { url: string; database: string } {
  if (!mongoServer.url)
    throw new Error('no MongoDB server: the logger jest globalSetup did not run');
  const database = `${prefix}_${randomBytes(5).toString('hex')}`;
  const [base, query] = mongoServer.url.split('?', 2) as [string, string | undefined];
  const withoutPath = base.replace(/^(mongodb(?:\+srv)?:\/\/[^/]*)\/?.*$/, '$1');
  return { url: `${withoutPath}/${database}${query ? `?${query}` : ''}`, database };
}
