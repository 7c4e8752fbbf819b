# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8080
SERVE_ARGS ?=
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup system-deps serve test bench wsdl clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "spyne 2.14 needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

setup: $(VENV)/.installed

# PHP's own SoapClient (the legacy side) and Debian's Chromium (the page tests).
system-deps:
	@if ! command -v php >/dev/null || ! php -m | grep -qx soap || ! command -v chromium >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq php-cli php-soap chromium >/dev/null; \
	fi

serve: setup
	$(VENV)/bin/callfire-bridge serve --port $(PORT) $(if $(UPSTREAM),--upstream $(UPSTREAM)) $(SERVE_ARGS)

test: setup system-deps
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/bench_bridge.py

# Regenerate the WSDL files from wsdl/operations.yaml.
wsdl: setup
	$(PY) -m bridge.contract.generate

clean:
	rm -rf $(VENV) var .pytest_cache
