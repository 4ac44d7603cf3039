# The two commands of the README: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= .demo-data
SERVER_PORT ?= 8765
APP_PORT ?= 8550

.PHONY: demo test bench lint venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[phone,server,dev]'
	touch $@

demo: venv
	$(BIN)/python -m sync_server load-demo --data-dir $(DEMO_DIR)
	@echo "Sync server: http://127.0.0.1:$(SERVER_PORT)/  (API docs at /docs)"
	@echo "Phone app (web build): http://127.0.0.1:$(APP_PORT)/  - Ctrl-C stops both"
	$(BIN)/python -m sync_server serve --data-dir $(DEMO_DIR) --host 127.0.0.1 --port $(SERVER_PORT) & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python -m mobile --server http://127.0.0.1:$(SERVER_PORT) --data-dir $(DEMO_DIR)/phone \
	    --port $(APP_PORT) --web

test: venv
	$(BIN)/python -m pytest
	PATROL_TEST_DB=postgres $(BIN)/python -m pytest tests/sync_server tests/e2e  # server and end-to-end again, on PostgreSQL

BENCH ?= *
bench: venv  # one of them: make bench BENCH=push (sizes: BENCH_RECORDS, BENCH_LOAD_SECONDS... in each script's docstring)
	@for script in tests/bench/bench_$(BENCH).py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

clean:
	rm -rf $(VENV) $(DEMO_DIR) test-output
