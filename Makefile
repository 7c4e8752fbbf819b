# Two commands on a fresh machine: `make serve` and `make test`.

# The venv's Python: the machine's python3 when it is 3.11-3.13, else the newest of those on
# PATH. Each candidate is run, not only looked up: a pyenv shim exists for versions it cannot run.
SUPPORTED_PY := import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13)
ifndef PYTHON
PYTHON := $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c '$(SUPPORTED_PY)' 2>/dev/null && { echo $$p; break; }; done)
endif
PY_VERSION := $(if $(PYTHON),$(shell $(PYTHON) -c '$(SUPPORTED_PY); print(".".join(map(str, sys.version_info[:3])))' 2>/dev/null))
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Named after the Python version, so another version (PYTHON=..., a new python3) makes a new venv.
STAMP  := $(VENV)/.installed-$(PY_VERSION)
PORT   ?= 8080
SERVE_ARGS ?=
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup system-deps node-deps serve test bench compare wsdl clean

$(STAMP): pyproject.toml setup.py constraints.txt
	@[ -n "$(PY_VERSION)" ] || { echo "error: the bridge needs Python 3.11, 3.12 or 3.13 and" \
		"$(if $(PYTHON),$(PYTHON) does not run one,none of python3 python3.13 python3.12 python3.11 does);" \
		"pass PYTHON=/path/to/python3.x" >&2; exit 1; }
	@if [ "$$($(PY) -c 'import platform; print(platform.python_version())' 2>/dev/null)" != "$(PY_VERSION)" ]; then \
		echo "making $(VENV) with $(PYTHON) ($(PY_VERSION))"; rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

setup: $(STAMP)

# PHP's own SoapClient (the legacy side), Debian's Chromium (the page tests), JAX-WS wsimport,
# its runtime jars and a JDK (the Java client test), Node and npm (Node's soap client test),
# PostgreSQL's server (the store tests start a throwaway cluster: tests/pg_fixtures.py).
# apt runs only when something is missing; Node comes from apt only when there is none at all.
APT_PACKAGES := php-cli php-soap php-xml chromium jaxws libjaxws-java default-jdk-headless postgresql
system-deps:
	@if ! command -v php >/dev/null || ! php -m | grep -qx soap || ! php -m | grep -qx dom \
		|| ! command -v chromium >/dev/null || ! command -v wsimport >/dev/null || ! command -v javac >/dev/null \
		|| [ ! -f /usr/share/java/jaxws-rt.jar ] || ! command -v npm >/dev/null \
		|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) \
			$$(command -v npm >/dev/null || echo nodejs npm) >/dev/null; \
	fi

# Node's soap package as pinned by tests/node/package-lock.json (again only when the lock changes).
tests/node/node_modules/.package-lock.json: tests/node/package-lock.json | system-deps
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error

node-deps: tests/node/node_modules/.package-lock.json

serve: setup
	$(VENV)/bin/callfire-bridge serve --port $(PORT) --postback-allow-private $(if $(UPSTREAM),--upstream $(UPSTREAM)) $(SERVE_ARGS)

# The test files spread over the cores (pytest-xdist, a file's tests on one worker, so each
# file's servers start once); `make test PYTEST_ARGS=-n0` runs them in one process.
PYTEST_ARGS ?= -n auto --maxprocesses 4 --dist loadfile
test: setup system-deps node-deps bench-deps
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: setup system-deps bench-deps
	$(PY) bench/bench_targets.py
	$(PY) bench/bench_floor.py
	$(PY) bench/bench_bridge.py
	$(PY) bench/bench_load.py

# wrk, the load generator of bench/bench_targets.py (apt only when it is missing); `make test` runs
# the benchmark once in its --quick mode (tests/test_bench_smoke.py).
.PHONY: bench-deps
bench-deps:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }

# The legacy v1.1 simulator against the bridge over every served read; the report: var/compare/report.html
compare: setup
	$(PY) -m bridge.compare.demo

# Regenerate the WSDL files from wsdl/operations.yaml.
wsdl: setup
	$(PY) -m bridge.contract.generate

clean:
	rm -rf $(VENV) var .pytest_cache tests/node/node_modules
