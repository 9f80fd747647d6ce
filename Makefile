# The two commands: `make run` (the hub on the demo config) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup system-deps lint format bench clean lock

run: setup
	$(BIN)/sigap run -c config

test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@# Debian's python3 needs python3-venv for `python3 -m venv`.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || scripts/install-debian-packages.sh python3-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# the versions CI was green with: requirements.lock constrains every package
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

# Debian packages the tests run for real (ffmpeg, Mosquitto, an RTSP source).
system-deps:
	scripts/install-debian-packages.sh scripts/debian-packages.txt

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/bus.py

# Re-pin requirements.lock after a change of pyproject.toml's dependencies
# (pip-tools: plain requirements format that pip itself installs).
lock: setup
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra test --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
