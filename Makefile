# hubspot_connector developer commands. Everything installs itself on first use
# into .cache/ (git-ignored): Odoo 19, a venv, Chromium; see tools/setup.sh.
.PHONY: help setup test mutants demo lint bench soak pot sandbox screenshots clean

help:
	@echo "make demo   - Odoo 19 with the addon and a local HubSpot sandbox on http://localhost:8069"
	@echo "             LANG=de, fi or th: the admin user works in that language (make demo LANG=de)"
	@echo "make test   - fresh database, install, all tests (browser included), linters"
	@echo "make mutants - one-line breaks of tools/mutants.json, each against the suite: which survive (MUTANTS=id,id MUTANT_JOBS=2)"
	@echo "make lint   - ruff + pylint-odoo"
	@echo "make pot    - refresh the translation template i18n/hubspot_connector.pot"
	@echo "make bench  - inbound sync of 20,000 companies and 40,000 contacts from the sandbox: the figures"
	@echo "make soak   - the sync under faults, SIGKILLs and two servers, both sides compared (SOAK_SHORT=1: CI's)"
	@echo "make screenshots - the README's pictures (account dashboard, runs list) in headless Chromium"
	@echo "make setup  - only prepare Odoo 19, the venv, PostgreSQL and Chromium"
	@echo "make clean  - remove the caches (.cache/)"

setup:
	@tools/setup.sh

test:
	@tools/run_tests.sh

mutants:
	@tools/setup.sh && . "$${HUBSPOT_CACHE:-$(CURDIR)/.cache}/env.sh" && "$$HUBSPOT_VENV/bin/python" tools/mutants.py

demo:
	@tools/demo.sh

lint:
	@tools/lint.sh

bench:
	@tools/bench.sh

soak:
	@tools/soak.sh

pot:
	@tools/pot.sh

screenshots:
	@tools/screenshots.sh

sandbox: setup
	@.cache/venv/bin/python -m sandbox --seed demo --verbose

clean:
	rm -rf .cache
