-- Runs once, on the first start of the compose PostgreSQL (an empty data volume), as POSTGRES_USER.
-- One database per service that keeps state in PostgreSQL (micromesh_broker: idempotency keys); micromesh_logs is there for running
-- the logger on PostgreSQL (LOG_STORE_URL=postgres://…) instead of MongoDB.
CREATE DATABASE micromesh_auth;
CREATE DATABASE micromesh_mail;
CREATE DATABASE micromesh_logs;
CREATE DATABASE micromesh_broker;
