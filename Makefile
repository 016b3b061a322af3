SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install install-test run run-sso test test-quick messages bench-search bench-digests bench-office bench-serve

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(VENV)/installed

$(VENV)/installed-test: $(VENV)/installed requirements-test.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# The accessibility checkers the browser tests run (axe-core, the Nu HTML Checker), pinned.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

install-test: $(VENV)/installed-test node_modules/.package-lock.json

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_content
	@echo "Extranet: http://$(HOST)/  (Wagtail-admin: http://$(HOST)/admin/)"
	@# Ctrl-C stops the web server; then the cluster is stopped, and waited for, before make returns.
	@# The cluster has a process group of its own: a signal to make's whole group (Ctrl-C, a
	@# process manager) would kill its processes one by one and leave its master hanging.
	@setsid $(PY) manage.py qcluster & cluster=$$!; trap 'kill -TERM $$cluster 2>/dev/null; wait $$cluster' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

# `make run` with the login through a local Keycloak and its demo realm (keycloak_node: fetched
# from Maven Central and built once into ~/.cache; needs a JDK 21 or newer).
KEYCLOAK_PORT ?= 8180
run-sso: install
	@setsid $(PY) -m keycloak_node --port $(KEYCLOAK_PORT) & keycloak=$$!; \
	trap 'kill -TERM $$keycloak 2>/dev/null; wait $$keycloak' EXIT INT TERM; \
	OIDC_ISSUER=http://127.0.0.1:$(KEYCLOAK_PORT)/realms/extranet OIDC_CLIENT_ID=extranet-site \
	OIDC_CLIENT_SECRET=extranet-test-secret $(MAKE) --no-print-directory run

# pytest-xdist's processes; tests/conftest.py decides what shares a process.
PYTEST_WORKERS ?= 2
test: install-test
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Without the slow groups (Elasticsearch, the browser, the site's processes, the package).
test-quick: install-test
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

# The Dutch catalogues: each app's locale/ (cms_extranet's own without its sub-apps) and the
# host's cms/locale/ for cms/ and templates/. Fill in the new msgstr, then `make messages` again.
CATALOGUE_APPS := cms_extranet/follow cms_extranet/feedback cms_extranet/access_management cms_extranet/sso search
MAKEMESSAGES = $(abspath $(PY)) $(CURDIR)/manage.py makemessages -l nl_BE --no-obsolete
messages:
	cd cms_extranet && $(MAKEMESSAGES) -i follow -i feedback -i access_management -i sso
	for app in $(CATALOGUE_APPS); do (cd $$app && $(MAKEMESSAGES)) || exit 1; done
	$(MAKEMESSAGES) -i cms_extranet -i search -i tests -i bench -i es_node -i keycloak_node -i var -i build -i .venv
	for po in $$(find cms cms_extranet search -name django.po); do msgfmt --check -o $${po%.po}.mo $$po || exit 1; done

bench-search: install
	.ci/postgres.sh $(PY) bench/search_bench.py $(BENCH_ARGS)

bench-digests: install-test
	.ci/postgres.sh $(PY) bench/digest_bench.py $(BENCH_ARGS)

bench-office: install
	$(PY) bench/office_load.py $(BENCH_ARGS)

# The in-process part on SQLite; the load under gunicorn on SQLite and on a throwaway PostgreSQL.
bench-serve: install
	nice .ci/postgres.sh sh -c 'exec env -u DATABASE_URL $(PY) bench/serve_bench.py --postgres "$$DATABASE_URL" $(BENCH_ARGS)'
