# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PORT ?= 5000
VENV := .venv/bin
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgres bench security install clean

run:
	@scripts/bootstrap.sh run
	@$(VENV)/flask db upgrade
	@$(VENV)/flask demo
	@echo "Tandem is starting on http://127.0.0.1:$(PORT) with its job worker  (sign in with a demo login above; mail lands in instance/outbox/)"
	@PORT=$(PORT) VENV=$(VENV) exec scripts/serve.sh

test:
	@scripts/bootstrap.sh test
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== test suite on SQLite =="
	@TANDEM_REQUIRE_BROWSER=1 TANDEM_TEST_DB=sqlite $(VENV)/python -m pytest -q

test-postgres:
	@echo "== test suite on PostgreSQL 15 (throwaway cluster) =="
	@TANDEM_REQUIRE_BROWSER=1 TANDEM_TEST_DB=postgres $(VENV)/python -m pytest -q

security:
	@scripts/bootstrap.sh test
	@VENV=$(VENV) scripts/security.sh

bench:
	@scripts/bootstrap.sh bench
	@$(VENV)/python -m bench

clean:
	rm -rf .venv instance
