# The two commands of the project: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CKAN := $(BIN)/ckan
STATE := .state
PYTEST_ARGS ?=
# What pytest runs (CI runs a part of it a second time against SolrCloud, see .ci/run).
TESTS ?= tests
# `make test SOLR=cloud`: the suite against the SolrCloud of scripts/services/solr.sh
# (ZooKeeper + 2 nodes, collection of 2 shards x 2 replicas), with the node-loss test.
SOLR ?= standalone

.PHONY: help setup system-deps solr-build services solrcloud stop status config db demo-load demo-harvest demo \
        serve demo-previews test lint typecheck package-check territories outlines vocabularies bench bench-dcat bench-harvest bench-csw bench-fidelity bench-pages \
        i18n i18n-check

help:
	@echo "make demo    set everything up and serve the portal with demo content on http://127.0.0.1:5000"
	@echo "make test    set everything up and run lint, the packaging check and the whole test suite"
	@echo "make stop    stop every service the project started"

system-deps:
	@scripts/install-system-deps.sh

# The pins of setup.py's "previews" extra, installed without their dependencies (see setup.py).
export PREVIEW_PINS := import importlib.metadata as m; print(" ".join(r.split(";")[0] for r in m.requires("ckanext-datagrandest") or [] if "previews" in r))

# The venv is rebuilt when setup.py changes; the stamp records the last good install.
$(VENV)/.installed: setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip==26.3 setuptools==84.2.1 wheel==0.48.0
	@$(BIN)/pip install -q -e '.[test]'
	@$(BIN)/pip install -q --no-deps $$($(BIN)/python -c "$$PREVIEW_PINS")
	@touch $@
	@echo "venv: ready at $(VENV)"

# The browser tests' npm packages (playwright-core, axe-core), pinned by their package-lock.json.
BROWSER_TESTS := tests/browser
$(BROWSER_TESTS)/node_modules/.installed: $(BROWSER_TESTS)/package-lock.json
	@cd $(BROWSER_TESTS) && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

setup: system-deps $(VENV)/.installed solr-build $(BROWSER_TESTS)/node_modules/.installed

solr-build: system-deps $(VENV)/.installed
	@scripts/services/solr.sh build

services: setup
	@scripts/services.sh start

stop:
	@scripts/services/worker.sh stop
	@scripts/services.sh stop
	@scripts/services/solr.sh cloud-stop >/dev/null

# SolrCloud beside the standalone Solr (ports 8985, 8986, ZooKeeper 9985).
solrcloud: setup
	@scripts/services/solr.sh cloud-start

status:
	@scripts/services/worker.sh status || true
	@scripts/services.sh status

config: $(VENV)/.installed
	@scripts/write-config.sh

db: services config
	@$(CKAN) -c ckan.ini db init >$(STATE)/log/db-init.log 2>&1 \
	  || { echo "db: 'ckan db init' failed, see $(STATE)/log/db-init.log" >&2; exit 1; }
	@$(CKAN) -c ckan.ini db pending-migrations --apply >>$(STATE)/log/db-init.log 2>&1 \
	  || { echo "db: plugin migrations failed, see $(STATE)/log/db-init.log" >&2; exit 1; }
	@echo "db: initialised with the plugins' migrations"

demo-load: db
	@$(CKAN) -c ckan.ini datagrandest demo load --password-file $(STATE)/demo-admin-password

serve:
	@scripts/serve.sh

# Harvests the bundled sample sources (udata, Opendatasoft) from a local replay server.
demo-harvest: demo-load
	@scripts/demo-harvest.sh

# Previews: xloader's token and a jobs worker (stopped by `make stop`).
demo-previews: demo-load
	@scripts/demo-previews.sh

demo: demo-load demo-harvest demo-previews serve

lint: $(VENV)/.installed
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	@$(BIN)/mypy

# A real (non-editable) build: a file missing from the wheel fails here, not in production.
# setuptools copies into build/lib and never removes what left the sources: start clean.
package-check: $(VENV)/.installed
	@rm -rf $(STATE)/dist build && $(BIN)/python -m build --wheel --outdir $(STATE)/dist . >$(STATE)/log/build.log 2>&1 \
	  || { echo "package-check: wheel build failed, see $(STATE)/log/build.log" >&2; exit 1; }
	@$(BIN)/python scripts/check_wheel.py $(STATE)/dist/*.whl

# test.ini names the default ports; moved services (DGE_*_PORT) are passed on through CKAN's
# own environment overrides, unless the caller set those already.
# The tests marked solrcloud (a node lost and brought back) run only with SOLR=cloud.
test: services lint typecheck i18n-check package-check $(if $(filter cloud,$(SOLR)),solrcloud)
	@export CKAN_SQLALCHEMY_URL=$${CKAN_SQLALCHEMY_URL:-postgresql://ckan:ckan@127.0.0.1:$${DGE_PG_PORT:-55432}/ckan_test} \
	  CKAN_SOLR_URL=$${CKAN_SOLR_URL:-$(if $(filter cloud,$(SOLR)),$$(scripts/services/solr.sh cloud-url),http://127.0.0.1:$${DGE_SOLR_PORT:-8984}/solr/ckan)} \
	  CKAN_REDIS_URL=$${CKAN_REDIS_URL:-redis://127.0.0.1:$${DGE_REDIS_PORT:-56379}/3} \
	  CKAN_DATASTORE_WRITE_URL=$${CKAN_DATASTORE_WRITE_URL:-postgresql://ckan:ckan@127.0.0.1:$${DGE_PG_PORT:-55432}/datastore_test} \
	  CKAN_DATASTORE_READ_URL=$${CKAN_DATASTORE_READ_URL:-postgresql://datastore_ro:datastore_ro@127.0.0.1:$${DGE_PG_PORT:-55432}/datastore_test}; \
	$(BIN)/python -m pytest --ckan-ini=test.ini $(TESTS) $(if $(filter cloud,$(SOLR)),,-m "not solrcloud") $(PYTEST_ARGS)

# The French catalogue: the .po is edited by hand, the compiled .mo is committed next to it.
I18N_PO := ckanext/datagrandest/i18n/fr/LC_MESSAGES/ckanext-datagrandest.po
I18N_MO := $(I18N_PO:.po=.mo)

i18n:
	@msgfmt --check -o $(I18N_MO) $(I18N_PO) && echo "i18n: compiled $(I18N_MO)"

i18n-check:
	@msgfmt --check -o - $(I18N_PO) | cmp -s - $(I18N_MO) \
	  || { echo "i18n-check: $(I18N_MO) is stale, run 'make i18n' and commit it" >&2; exit 1; }

territories: $(VENV)/.installed
	@$(BIN)/python scripts/territories/build_territories.py

# Outlines from a git mirror of gregoiredavid/france-geojson: `make outlines MIRROR=<git dir>`.
outlines: $(VENV)/.installed
	@$(BIN)/pip install -q -e '.[outlines]'
	@$(BIN)/python scripts/territories/build_outlines.py --mirror $${MIRROR:?MIRROR=<git dir of france-geojson>}

# EU vocabularies from the authority tables in ../shared/reference/vocabularies/ (SOURCE=... elsewhere).
vocabularies: $(VENV)/.installed
	@$(BIN)/python scripts/vocabularies/build_vocabularies.py $${SOURCE:+--source $$SOURCE}

# Every benchmark, one after the other (`python -m bench` lists them): `make bench N=200 BIG=5000`.
bench: services
	@$(BIN)/python -m bench all $${N:+--n $$N} $${BIG:+--big $$BIG}

# DCAT catalogue pages, our profile against stock euro_dcat_ap_3: `make bench-dcat N=1000`.
bench-dcat: services
	@$(BIN)/python -m bench dcat --n $${N:-1000}

# Harvest speed against package_create, unchanged re-harvest, gather memory (issue #5).
bench-harvest: services
	@$(BIN)/python -m bench harvest --n $${N:-2000} --big $${BIG:-50000}

# The same figures for a CSW (ISO 19139) geocatalogue.
bench-csw: services
	@$(BIN)/python -m bench csw --n $${N:-2000} --big $${BIG:-50000}

# The corpus of real answers harvested: what lands, the share of payload fields carried over.
bench-fidelity: services
	@$(BIN)/python -m bench fidelity

# Server time of the portal's pages against stock CKAN: `make bench-pages N=1000 BIG=10000`
# (WORKERS=3: processes filling a new catalogue).
bench-pages: services
	@$(BIN)/python -m bench pages --n $${N:-1000} $${BIG:+--big $$BIG} $${WORKERS:+--workers $$WORKERS}
