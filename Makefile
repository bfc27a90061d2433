# The README's commands. `make run` and `make test` set up everything they need
# on a machine with only python3 (3.11+) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres bench lint clean distclean \
	system-packages postgresql-package

# pip is the last thing venv creates: if python3-venv was missing the first time,
# the next `make` tries again instead of using a half-made .venv.
$(BIN)/pip:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Inhouse needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps, so a second `make run` does not reinstall; editing pyproject.toml does.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/inhouse demo

# Both runs go ahead even when the first fails, so one `make test` shows both results.
test: $(VENV)/.installed-test system-packages lint
	@failed=""; \
	$(MAKE) --no-print-directory test-sqlite || failed="$$failed SQLite"; \
	$(MAKE) --no-print-directory test-postgres || failed="$$failed PostgreSQL"; \
	if [ -n "$$failed" ]; then echo "== the suite failed on:$$failed" >&2; exit 1; fi; \
	echo "== the suite passed on SQLite and on PostgreSQL"

# An INHOUSE_DATABASE_URL left in the developer's shell must not turn this run into
# a second PostgreSQL run. The test database is named after this run: two runs in one
# checkout would otherwise delete each other's var/test.sqlite3 halfway through.
test-sqlite: $(VENV)/.installed-test
	@echo "== test suite on SQLite"
	env -u INHOUSE_DATABASE_URL INHOUSE_TEST_SQLITE_NAME="$(CURDIR)/var/test-$$$$.sqlite3" \
		$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-test postgresql-package
	@echo "== test suite on PostgreSQL"
	scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

# SQLite figures first (submit and comment rates, lists, query counts), then the list
# figures on a throwaway PostgreSQL cluster. `make bench BENCH_ARGS=--quick` tries it small.
bench: $(VENV)/.installed-run postgresql-package
	env -u INHOUSE_DATABASE_URL $(BIN)/python bench/run.py $(BENCH_ARGS)
	scripts/with-postgres.sh $(BIN)/python bench/run.py $(BENCH_ARGS)

# ruff for style, mypy (with django-stubs) for types, import-linter for the direction
# of imports that docs/architecture.md draws; each must be clean.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	PYTHONPATH=src $(BIN)/lint-imports

clean:
	rm -rf var .pytest_cache .ruff_cache .hypothesis

distclean: clean
	rm -rf $(VENV) src/*.egg-info

# Debian packages the tests drive: Chromium for the browser tests, PostgreSQL for the
# second run. Each is looked for where Debian installs it (or on PATH), and whatever
# is missing is installed with a single apt-get update.
HAVE_chromium := test -x /usr/bin/chromium
HAVE_postgresql := command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
ensure-debian-packages = \
	missing=""; \
	$(foreach package,$(1),{ $(HAVE_$(package)); } || missing="$$missing $(package)";) \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ]; then as_root=""; \
	elif command -v sudo >/dev/null 2>&1; then as_root="sudo"; \
	else echo "Missing Debian packages:$$missing. Install them as root: apt-get install$$missing" >&2; exit 1; fi; \
	command -v apt-get >/dev/null 2>&1 \
		|| { echo "Missing packages:$$missing, and this is not a Debian-like system with apt-get." >&2; exit 1; }; \
	echo "== installing Debian packages:$$missing"; \
	$$as_root apt-get update -qq \
	&& $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

system-packages:
	@$(call ensure-debian-packages,chromium postgresql)

postgresql-package:
	@$(call ensure-debian-packages,postgresql)
