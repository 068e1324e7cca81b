// Readiness check of the dev MongoDB (docker-compose.yml and the dev cluster), run by mongosh as
// the root user: initiates the single-node replica set the first time, creates the logger's own
// user (readWrite on micromesh_logs only, password LOGGER_MONGO_PASSWORD) once the member is
// primary, and succeeds only once this member is a writable primary.
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

const logs = db.getSiblingDB('micromesh_logs');
if (!logs.getUser('logger')) {
  logs.createUser({
    user: 'logger',
    pwd: process.env.LOGGER_MONGO_PASSWORD,
    roles: [{ role: 'readWrite', db: 'micromesh_logs' }],
  });
}
