# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8080
SERVE_ARGS ?=
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup system-deps node-deps serve test bench wsdl clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "spyne 2.14 needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

setup: $(VENV)/.installed

# PHP's own SoapClient (the legacy side), Debian's Chromium (the page tests), JAX-WS wsimport,
# its runtime jars and a JDK (the Java client test), Node and npm (Node's soap client test).
# apt runs only when something is missing; Node comes from apt only when there is none at all.
APT_PACKAGES := php-cli php-soap php-xml chromium jaxws libjaxws-java default-jdk-headless
system-deps:
	@if ! command -v php >/dev/null || ! php -m | grep -qx soap || ! php -m | grep -qx dom \
		|| ! command -v chromium >/dev/null || ! command -v wsimport >/dev/null || ! command -v javac >/dev/null \
		|| [ ! -f /usr/share/java/jaxws-rt.jar ] || ! command -v npm >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) \
			$$(command -v npm >/dev/null || echo nodejs npm) >/dev/null; \
	fi

# Node's soap package as pinned by tests/node/package-lock.json (again only when the lock changes).
tests/node/node_modules/.package-lock.json: tests/node/package-lock.json | system-deps
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error

node-deps: tests/node/node_modules/.package-lock.json

serve: setup
	$(VENV)/bin/callfire-bridge serve --port $(PORT) $(if $(UPSTREAM),--upstream $(UPSTREAM)) $(SERVE_ARGS)

test: setup system-deps node-deps
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/bench_bridge.py

# Regenerate the WSDL files from wsdl/operations.yaml.
wsdl: setup
	$(PY) -m bridge.contract.generate

clean:
	rm -rf $(VENV) var .pytest_cache tests/node/node_modules
