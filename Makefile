# The two commands of a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
DEV_DB := instance/demo.sqlite3

LOCK_VENV := .lock-venv

.PHONY: run test lint package-check install browser bench lock clean

# Installs the exact versions of constraints.txt (the lock file), whatever PyPI holds today.
$(BIN)/hotline: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(BIN)/hotline

# The first port from the one given that nothing listens on (127.0.0.1), for `make run`.
define FREE_PORT
import socket, sys
wanted = int(sys.argv[1])
def taken(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
print(next(port for port in range(wanted, wanted + 100) if not taken(port)))
endef
export FREE_PORT

# Starts the app with demo data on SQLite, at http://127.0.0.1:$(PORT)/ , or on the next free port when
# that one is taken (PORT=8000 make run chooses another start).
run: install
	HOTLINE_ENV=development HOTLINE_DATABASE_URL=sqlite:///$(CURDIR)/$(DEV_DB) $(BIN)/hotline db upgrade
	HOTLINE_ENV=development HOTLINE_DATABASE_URL=sqlite:///$(CURDIR)/$(DEV_DB) $(BIN)/hotline demo
	@port=$$($(BIN)/python -c "$$FREE_PORT" $(PORT)) && \
	  { [ "$$port" = "$(PORT)" ] || echo "Le port $(PORT) est déjà pris : hotline prend le port $$port."; } && \
	  echo "hotline : http://127.0.0.1:$$port/" && \
	  HOTLINE_ENV=development HOTLINE_DATABASE_URL=sqlite:///$(CURDIR)/$(DEV_DB) \
	  HOTLINE_IVR_NUMBERS="+33800000062=prevention_expulsion" \
	  $(BIN)/hotline run --port $$port

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: the browser tests will be skipped"; fi; }

# The import contracts and the linter, every test on SQLite (then again on PostgreSQL when
# HOTLINE_TEST_DATABASE_URL is set), and a non-editable install of the built wheel serving the demo.
test: install browser lint
	env -u HOTLINE_TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$HOTLINE_TEST_DATABASE_URL" ]; then \
	  echo "--- again on PostgreSQL ---"; HOTLINE_TEST_DATABASE_URL="$$HOTLINE_TEST_DATABASE_URL" $(BIN)/pytest; fi
	$(MAKE) package-check

# ruff's checks ([tool.ruff] in pyproject.toml).
lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Builds the wheel, installs it (not editable) in a fresh venv and serves the demo from it (.ci/package-check).
package-check:
	.ci/package-check $(PYTHON)

# The voice-menu load benchmark (bench/README.md); wrk comes from Debian's packages.
bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/ivr_load.py

# Rewrites constraints.txt: the newest versions pyproject.toml allows, resolved in a throw-away venv
# (hotline itself left out). Run it after changing a dependency; commit the file.
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e '.[dev,prod]'
	{ sed -n '/^#/p;/^#/!q' constraints.txt; $(LOCK_VENV)/bin/pip freeze --exclude-editable | grep -v '^[#-]'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) $(LOCK_VENV) instance *.egg-info build dist
