// Health check of the compose MongoDB (run by mongosh as the root user): initiates the single-node
// replica set the first time, then succeeds only once this member is a writable primary.
/* global rs, db, quit, process -- provided by mongosh, which runs this file */
const replicaSet = process.env.MONGO_REPLICA_SET || 'rs0';
const host = process.env.MONGO_ADVERTISED_HOST || 'mongodb:27017';

try {
  rs.status();
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
  rs.initiate({ _id: replicaSet, members: [{ _id: 0, host }] });
}

if (!db.hello().isWritablePrimary) {
  quit(1);
}
