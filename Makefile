# Habitat developer commands. `make dev` runs the stack; `make test` runs lint and every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := libs/habitat_common services/identity services/contributions services/ledger services/notifications services/gateway tools/devstack tools/habitat_cli
STAMP := $(VENV)/.installed
LOCK := requirements-dev.lock
PIP_TOOLS := pip-tools==7.7.0

.PHONY: install dev prerequisites lock test lint test-unit test-integration test-e2e chaos bench clean

# Third-party packages exactly as locked (pins and hashes), then ours, editable, without resolving anything.
$(STAMP): $(LOCK) requirements.lock requirements-dev.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	python3 tools/lock/lock.py --check
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation $(addprefix -e ,$(PACKAGES))
	touch $(STAMP)

install: $(STAMP)

# PostgreSQL, RabbitMQ, Caddy: installed and started if missing (HABITAT_SKIP_PREREQUISITES=1: yours are elsewhere)
prerequisites:
	@if [ -z "$${HABITAT_SKIP_PREREQUISITES:-}" ]; then deploy/lib/prerequisites.sh; fi

dev: prerequisites install
	$(PY) -m habitat_devstack.dev

# Regenerate requirements.lock and requirements-dev.lock after changing a dependency (`lock ARGS=--upgrade`: newest)
lock:
	test -x .local/lock-venv/bin/python || python3 -m venv .local/lock-venv
	.local/lock-venv/bin/python -m pip install -q $(PIP_TOOLS)
	.local/lock-venv/bin/python tools/lock/lock.py $(ARGS)

lint: install
	$(VENV)/bin/lint-imports
	for svc in identity contributions ledger notifications gateway; do (cd services/$$svc && ../../$(VENV)/bin/lint-imports) || exit 1; done

test: lint
	$(PY) tools/run_tests.py all

test-unit: install
	$(PY) tools/run_tests.py unit

test-integration: install
	$(PY) tools/run_tests.py integration

test-e2e: install
	$(PY) tools/run_tests.py e2e

# the long proofs: every fault recipe on 1,000 approvals across 100 members (keeps the table in
# docs/reliability.md), the long API fuzz, and the load bench's smoke run
chaos: install
	HABITAT_CHAOS_FULL=1 HABITAT_CHAOS_KEEP_TABLE=1 $(PY) -m pytest -q -p no:cacheprovider -rs --timeout 3600 tests/chaos
	HABITAT_FUZZ_EXAMPLES=40 $(PY) -m pytest -q -s -p no:cacheprovider --timeout 3600 tests/e2e/test_fuzz_api.py
	$(PY) -m pytest -q -p no:cacheprovider --timeout 900 tests/bench  # bench/load.py's smoke run through Caddy

# upgrade from the last release in deploy/RELEASES with reads running, then roll back to its backup
# (`make test` runs the upgrade half; see docs/migrations.md)
.PHONY: upgrade-drill
upgrade-drill: install
	HABITAT_UPGRADE_DRILL_FULL=1 $(PY) -m pytest -q -s -p no:cacheprovider --timeout 900 tests/e2e/test_upgrade.py

bench: install
	$(PY) bench/approval_lag.py
	$(PY) bench/signin.py
	$(PY) bench/intake.py
	$(PY) bench/close.py
	$(PY) bench/import_contributions.py
	$(PY) bench/revocation.py
	$(PY) bench/load.py

# Kubernetes manifests (deploy/k8s): render every overlay, validate against the API schemas, compare with compose
.PHONY: k8s
k8s: install
	$(PY) -m pytest -q -p no:cacheprovider tests/deploy/test_k8s.py
	deploy/k8s/apply.sh --dry-run deploy/k8s/overlays/small | tail -n 1

clean:
	rm -rf $(VENV) .local
