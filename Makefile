# Habitat developer commands. `make dev` runs the stack; `make test` runs lint and every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := libs/habitat_common services/identity services/contributions services/ledger services/gateway tools/devstack tools/habitat_cli
STAMP := $(VENV)/.installed

.PHONY: install dev test lint test-unit test-integration test-e2e chaos bench clean

$(STAMP): requirements-dev.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	touch $(STAMP)

install: $(STAMP)

dev: install
	$(PY) -m habitat_devstack.dev

lint: install
	$(VENV)/bin/lint-imports
	for svc in identity contributions ledger gateway; do (cd services/$$svc && ../../$(VENV)/bin/lint-imports) || exit 1; done

test: lint
	$(PY) tools/run_tests.py all

test-unit: install
	$(PY) tools/run_tests.py unit

test-integration: install
	$(PY) tools/run_tests.py integration

test-e2e: install
	$(PY) tools/run_tests.py e2e

# every fault recipe on 1,000 approvals across 100 members; keeps the table in docs/reliability.md
chaos: install
	HABITAT_CHAOS_FULL=1 HABITAT_CHAOS_KEEP_TABLE=1 $(PY) -m pytest -q -p no:cacheprovider -rs --timeout 3600 tests/chaos
	HABITAT_FUZZ_EXAMPLES=40 $(PY) -m pytest -q -s -p no:cacheprovider --timeout 3600 tests/e2e/test_fuzz_api.py

bench: install
	$(PY) bench/approval_lag.py
	$(PY) bench/signin.py
	$(PY) bench/intake.py
	$(PY) bench/close.py
	$(PY) bench/import_contributions.py
	$(PY) bench/revocation.py
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) .local
