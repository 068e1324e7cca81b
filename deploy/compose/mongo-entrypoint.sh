#!/bin/bash
# Starts MongoDB as a single-node replica set with authentication. A replica set with auth needs a
# keyfile for member-to-member authentication; with one member it never leaves this container, so a
# fresh one per start is enough. The image's entrypoint then creates the root user on first start.
set -euo pipefail

keyfile=/tmp/mongo-replica.key
head -c 756 /dev/urandom | base64 -w 0 > "$keyfile"
chown mongodb:mongodb "$keyfile"
chmod 0400 "$keyfile"

exec docker-entrypoint.sh mongod --bind_ip_all --replSet "${MONGO_REPLICA_SET:-rs0}" --keyFile "$keyfile"
