# The two commands: `make run` (the hub on the demo config) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup system-deps lint format bench clean

run: setup
	$(BIN)/sigap run -c config

test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(STAMP)

$(STAMP): pyproject.toml
	@# Debian's python3 needs python3-venv for `python3 -m venv`.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || scripts/install-debian-packages.sh python3-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
