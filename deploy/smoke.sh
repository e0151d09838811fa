#!/usr/bin/env bash
# `make deploy-test`: the image and the compose stack, for real, on this machine.
#
# Starts dockerd if none answers (and stops it after), builds the base images from Debian's
# packages (no registry needed; kept between runs), builds the app image, checks it offline
# (non-root, model and runbook vectors inside, read-only root), then runs deploy/smoke.py: the
# compose stack on the host network against the Slack sandbox — mentions answered once, a
# worker killed mid-answer, 1 → 2 workers, `down` and clean exits. Fails loudly at any step.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
IMAGE="${JAMONO_IMAGE:-jamono:smoke}"
BASE_IMAGE="${BASE_IMAGE:-local/python:3.11}"
logs="$(mktemp -d /tmp/jamono-deploy-test.XXXXXX)"
started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() { echo "deploy-test FAILED: $*" >&2; exit 1; }

[ -x "$PY" ] || fail "no $PY: run make setup first"
command -v docker >/dev/null || fail "no docker command (apt-get install docker.io)"

step "docker daemon"
dockerd_pid=""
stop_dockerd() {
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
  fi
}
trap stop_dockerd EXIT
start_dockerd() {  # start_dockerd STORAGE_DRIVER: 0 once it answers
  dockerd --storage-driver="$1" >"$logs/dockerd-$1.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$dockerd_pid" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || fail "no docker daemon answers and dockerd is not installed (apt-get install docker.io)"
  # overlay2 shares layers; vfs (a full copy per layer, several times slower) works on any filesystem.
  for driver in ${DOCKER_STORAGE_DRIVER:-overlay2 vfs}; do
    start_dockerd "$driver" && break
    echo "dockerd --storage-driver=$driver did not start: $(tail -1 "$logs/dockerd-$driver.log")" >&2
    stop_dockerd
    dockerd_pid=""
  done
  docker info >/dev/null 2>&1 || fail "dockerd did not start (logs: $logs/dockerd-*.log)"
  echo "started dockerd (pid $dockerd_pid, $(docker info -f '{{.Driver}}'))"
fi
if docker compose version >/dev/null 2>&1; then COMPOSE="docker compose"
elif command -v docker-compose >/dev/null; then COMPOSE="docker-compose"
else fail "neither 'docker compose' nor docker-compose is installed (apt-get install docker-compose)"; fi
echo "$(docker version -f 'docker {{.Server.Version}}'), $($COMPOSE version | head -1)"

step "base images (Debian packages, cached between runs)"
deploy/docker/base-images.sh

step "app image $IMAGE (BASE_IMAGE=$BASE_IMAGE)"
# The machine's own CAs (an HTTPS-intercepting proxy's, say) for pip in the build stage only.
extra_ca="$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)"
build_started=$SECONDS
docker build --network host -q --build-arg BASE_IMAGE="$BASE_IMAGE" --build-arg BUILD_CA_CERT="$extra_ca" \
  -t "$IMAGE" . >"$logs/build.log" 2>&1 || { tail -40 "$logs/build.log" >&2; fail "docker build"; }
size_mb=$(( $(docker image inspect -f '{{.Size}}' "$IMAGE") / 1000000 ))
echo "image $IMAGE: ${size_mb} MB, built in $((SECONDS - build_started)) s"

step "image checks, offline (--network none, read-only root)"
docker run --rm --network none --read-only --tmpfs /tmp --entrypoint python "$IMAGE" -c '
import os, shutil
from knowledge.embeddings import local_embedder
from knowledge.shipped_vectors import VECTORS_FILE
assert os.getuid() != 0, "runs as root"
assert not any(shutil.which(c) for c in ("gcc", "cc", "g++", "make")), "a compiler in the final stage"
import httplib2
from googleapiclient.discovery import build
build("calendar", "v3", http=httplib2.Http(), static_discovery=True, cache_discovery=False)  # the one document kept
vector = local_embedder().embed(["pods are crashlooping"])
assert vector.shape == (1, 384), vector.shape
print(f"uid {os.getuid()}, no compiler, all-MiniLM-L6-v2 embedded offline {vector.shape}, {VECTORS_FILE.name} {VECTORS_FILE.stat().st_size // 1024} kB")
' || fail "image checks"
docker run --rm --network none "$IMAGE" --help >/dev/null || fail "the entrypoint is not the jamono command"
echo "entrypoint: jamono (serve, worker, migrate…)"

step "production's PostgreSQL (local/postgres-pgvector:17): migrations, tenancy and search tests"
# The embedded server has pgvector 0.6; production's image has 0.8, whose iterative index scans
# knowledge/search.py uses when it finds them. The knowledge, migration and tenancy tests run
# against it here, tests/knowledge/test_iterative_scan.py included (PGVECTOR_08_URL). (The login
# role's tests need a passwordless local login, which this server's scram-sha-256 refuses.)
pg_port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
pg_password="$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
pg_name="jamono-pg17-test-$$"
stop_pg() { docker rm -f "$pg_name" >/dev/null 2>&1 || true; }
trap 'stop_pg; stop_dockerd' EXIT
docker run -d --rm --name "$pg_name" --network host -e POSTGRES_PASSWORD="$pg_password" \
  local/postgres-pgvector:17 postgres -p "$pg_port" -c listen_addresses=127.0.0.1 -c fsync=off >/dev/null \
  || fail "could not start local/postgres-pgvector:17"
pg_url="postgresql://postgres:$pg_password@127.0.0.1:$pg_port/postgres"
PG_URL="$pg_url" "$PY" - <<'EOF' || { docker logs "$pg_name" 2>&1 | tail -20 >&2; fail "PostgreSQL 17 did not answer"; }
import os, time
import psycopg
for _ in range(120):
    try:
        with psycopg.connect(os.environ["PG_URL"], connect_timeout=2) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            v = conn.info.server_version
            print(f"PostgreSQL {v // 10000}.{v % 100}, pgvector",
                  conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0])
        break
    except psycopg.OperationalError:
        time.sleep(0.5)
else:
    raise SystemExit(1)
EOF
TEST_DATABASE_URL="$pg_url" PGVECTOR_08_URL="$pg_url" "$PY" -m pytest -q -p no:cacheprovider \
  tests/knowledge tests/test_migrations.py tests/platform/test_tenant_isolation.py \
  >"$logs/pg17-tests.log" 2>&1 || { tail -40 "$logs/pg17-tests.log" >&2; fail "tests against PostgreSQL 17 + pgvector"; }
grep -q "skipped" <(tail -1 "$logs/pg17-tests.log") && { tail -5 "$logs/pg17-tests.log" >&2; fail "a test was skipped against PostgreSQL 17"; }
tail -1 "$logs/pg17-tests.log"
stop_pg

step "compose stack against the Slack sandbox (deploy/smoke.py)"
PYTHONPATH=. "$PY" deploy/smoke.py --compose "$COMPOSE" --image "$IMAGE" "$@" || fail "see above"
echo "deploy-test: passed in $((SECONDS - started)) s"
