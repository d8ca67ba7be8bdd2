# perfbudget — the two commands of the README, and the steps they are made of.
#   make demo   install everything, load the seed data and the demo users, serve http://127.0.0.1:8000
#   make test   install what the tests need and run the whole suite (what CI runs, with `make lint`)
#   make test-fast   the inner loop: the suite without browser, process and slow tests
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: Pango for WeasyPrint, the CJK fonts for Chinese PDFs, poppler for PDF text and PNGs.
DEBS := fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils
TEST_DEBS := $(DEBS) docker-compose chromium redis-server

.PHONY: demo test test-fast redis system-packages system-packages-test venv venv-test migrate seed serve lint clean-db

demo: system-packages venv migrate seed serve

test: system-packages-test venv-test redis
	$(PY) -m pytest $(PYTEST_ARGS)

# No chromium, no other processes, no long fuzz runs: the tests that run in one process against the test database.
FAST := not browser and not process and not slow
test-fast: system-packages-test venv-test
	$(PY) -m pytest -m "$(FAST)" $(PYTEST_ARGS)

# The Redis the Celery tests use (127.0.0.1:6379): started when it is installed and not running.
redis:
	@if command -v redis-server >/dev/null && ! (redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1); then \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; sleep 1; fi

# Installs the Debian packages that are missing (as root, or through sudo), updating the index only when needed.
define apt_install
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q $$missing || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q $$missing; }; \
	fi
endef

system-packages:
	$(call apt_install,$(DEBS))

system-packages-test:
	$(call apt_install,$(TEST_DEBS))

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -q -e ".[test,dev]"
	@touch $@ $(VENV)/.installed-app

venv: $(VENV)/.installed-app
venv-test: $(VENV)/.installed-test

migrate: venv
	@mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py load_seeds

serve:
	@echo "perfbudget: http://$(HOST):$(PORT)/  (演示用户见 README，密码 demo12345)"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: venv-test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

clean-db:
	rm -f var/perfbudget.sqlite3
