#!/bin/sh
# Builds the production bundle of one or more services: exactly what deploy/Dockerfile runs, and
# what deploy/test/bundle-starts.test.ts runs before starting each bundle with `node dist/main.js`.
#
#   deploy/build-bundles.sh <out-dir> <service>...   → <out-dir>/<service>/{package.json,dist,node_modules}
#
# Run it from the repository root after `pnpm install --frozen-lockfile`. PNPM overrides the pnpm
# command (e.g. PNPM="npx -y pnpm@10.34.8" where pnpm is not on PATH).
set -eu

out=${1:?usage: build-bundles.sh <out-dir> <service>...}
shift
[ "$#" -gt 0 ] || { echo "build-bundles.sh: name at least one service" >&2; exit 64; }
pnpm_cmd=${PNPM:-pnpm}

projects=''
for service in "$@"; do
  [ -f "services/$service/package.json" ] || { echo "build-bundles.sh: no service '$service'" >&2; exit 64; }
  projects="$projects services/$service"
done

# One tsc -b for all of them: it also builds their project references (@micromesh/kit, /proto).
# shellcheck disable=SC2086 # word splitting of the project list is intended
$pnpm_cmd exec tsc -b $projects

bundle() {
  service=$1
  # The front-end's browser bundle (esbuild); the other services have no bundle script.
  $pnpm_cmd --filter "@micromesh/$service" run --if-present bundle
  rm -rf "${out:?}/$service"
  # Injected workspace packages make `pnpm deploy` copy @micromesh/kit and @micromesh/proto as
  # packed (their `files`: dist) with versions from the shared lockfile; --prod drops devDependencies.
  $pnpm_cmd --config.inject-workspace-packages=true deploy --filter "@micromesh/$service" --prod \
    "$out/$service"
  # Sources, tests and build metadata are not needed at run time.
  rm -rf "$out/$service/src" "$out/$service/test" "$out/$service/jest.config.cjs" \
    "$out/$service/tsconfig.json" "$out/$service/dist/.tsbuildinfo"
}

# Services are independent from here on: bundle them side by side (pnpm's store is shared safely).
pids=''
for service in "$@"; do
  bundle "$service" &
  pids="$pids $!"
done
failed=0
for pid in $pids; do
  wait "$pid" || failed=1
done
exit "$failed"
