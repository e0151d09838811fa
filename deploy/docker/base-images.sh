#!/usr/bin/env bash
# Base images without a container registry: Debian's own packages, nothing else.
#
#   local/debian:bookworm, local/debian:trixie   debootstrap --variant=minbase, imported
#   local/python:3.11                            bookworm's python3.11 (the app image's BASE_IMAGE)
#   local/postgres-pgvector:17                   trixie's PostgreSQL 17 + pgvector
#   local/redis:7                                bookworm's redis-server
#
# Where a registry is reachable, use the official images instead (python:3.11-slim,
# pgvector/pgvector:pg17, redis:7): the compose file and the Dockerfile default to them.
# An image that exists already is kept (docker keeps them between runs): delete it to rebuild.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

have() { docker image inspect "$1" >/dev/null 2>&1; }

debian_image() {  # debian_image SUITE
  local tag="local/debian:$1" root
  if have "$tag"; then echo "base: $tag (cached)"; return; fi
  command -v debootstrap >/dev/null || { echo "base: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
  root="$(mktemp -d /var/tmp/jamono-rootfs-$1.XXXXXX)"
  echo "base: debootstrap $1 into $root"
  debootstrap --variant=minbase "$1" "$root" "$MIRROR" >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; echo "base: debootstrap $1 failed (log: $root.log)" >&2; exit 1; }
  # Smaller and quieter images: no apt caches, no recommends, no docs (as Docker's official images).
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90norecommends"
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$tag" >/dev/null
  rm -rf "$root" "$root.log"
  echo "base: $tag imported"
}

build() {  # build TAG DIR [--build-arg …]
  local tag="$1" dir="$2"; shift 2
  if have "$tag"; then echo "base: $tag (cached)"; return; fi
  local log
  log="$(mktemp /tmp/jamono-base-build.XXXXXX)"
  docker build --network host -t "$tag" "$@" "$here/$dir" >"$log" 2>&1 \
    || { tail -20 "$log" >&2; echo "base: building $tag failed (log: $log)" >&2; exit 1; }
  rm -f "$log"
  echo "base: $tag built"
}

debian_image bookworm
debian_image trixie
build local/python:3.11 python --build-arg DEBIAN_IMAGE=local/debian:bookworm
build local/postgres-pgvector:17 postgres --build-arg DEBIAN_IMAGE=local/debian:trixie
build local/redis:7 redis --build-arg DEBIAN_IMAGE=local/debian:bookworm
