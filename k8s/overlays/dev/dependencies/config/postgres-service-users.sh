#!/bin/sh
# Runs once, on the first start of the dev PostgreSQL (an empty data volume), as POSTGRES_USER:
# one role per service that keeps state in PostgreSQL, owning its own database, so no service
# connects as the superuser. Mounted by the dev cluster (configMapGenerator) and docker-compose.yml
# into /docker-entrypoint-initdb.d; the passwords come from AUTH_DB_PASSWORD, MAIL_DB_PASSWORD and
# BROKER_DB_PASSWORD (the broker's database holds its Idempotency-Key records).
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v auth_password="$AUTH_DB_PASSWORD" -v mail_password="$MAIL_DB_PASSWORD" \
  -v broker_password="$BROKER_DB_PASSWORD" <<'SQL'
CREATE ROLE auth LOGIN PASSWORD :'auth_password';
CREATE ROLE mail LOGIN PASSWORD :'mail_password';
CREATE ROLE broker LOGIN PASSWORD :'broker_password';
CREATE DATABASE micromesh_auth OWNER auth;
CREATE DATABASE micromesh_mail OWNER mail;
CREATE DATABASE micromesh_broker OWNER broker;
REVOKE CONNECT, TEMPORARY ON DATABASE micromesh_auth, micromesh_mail, micromesh_broker FROM PUBLIC;
SQL
