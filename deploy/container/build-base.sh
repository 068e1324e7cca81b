#!/bin/sh
# Assembles a Debian base image locally, without pulling from a registry: debootstrap (minbase) of
# Debian 12 into a cache folder, the unprivileged `node` user (uid/gid 1000, as in the official
# Node images), imported into the container engine as one layer. Used by
# deploy/test/images-run.test.ts; the services' images add the Node binary and a bundle on top.
#
#   deploy/container/build-base.sh <image-name> <cache-dir> <engine command...>
#   e.g. deploy/container/build-base.sh localhost/micromesh/debian-base:bookworm .cache/container-base \
#          podman --runtime runc --cgroup-manager cgroupfs
#
# Does nothing when the image exists. Needs root (debootstrap) and the Debian mirror.
set -eu

image=${1:?usage: build-base.sh <image> <cache-dir> <engine...>}
cache=${2:?usage: build-base.sh <image> <cache-dir> <engine...>}
shift 2
[ "$#" -gt 0 ] || { echo "build-base.sh: name the engine command" >&2; exit 64; }

if "$@" image exists "$image" 2>/dev/null || "$@" image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || { echo "build-base.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 69; }
[ "$(id -u)" -eq 0 ] || { echo "build-base.sh: debootstrap needs root" >&2; exit 77; }

mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rootfs="$cache/rootfs"
if [ ! -f "$rootfs/.complete" ]; then
  rm -rf "$rootfs"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  # The unprivileged user the images run as (the Dockerfile's runtime stage: USER node).
  grep -q '^node:' "$rootfs/etc/group" || echo 'node:x:1000:' >>"$rootfs/etc/group"
  grep -q '^node:' "$rootfs/etc/passwd" ||
    echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$rootfs/etc/passwd"
  mkdir -p "$rootfs/home/node" && chown 1000:1000 "$rootfs/home/node"
  # Apt's caches are not part of an image.
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  touch "$rootfs/.complete"
fi
tar -C "$rootfs" --exclude=./.complete -c . | "$@" import - "$image" >/dev/null
