# Two commands on a fresh machine: `make run` and `make test`. Only python3 (>= 3.11) and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)

# Local targets run with debug on unless the caller says otherwise; production uses `make serve` (see docs).
export DJANGO_DEBUG ?= 1

.PHONY: run test setup install lint format lock clean audit serve worker varnish

# The task worker is started again whenever it exits (a crash, a kill), as a supervisor would in production.
run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin at /admin/); a task worker runs alongside. Ctrl-C stops both."
	@export NEWSROOM_SITE_URL="$${NEWSROOM_SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	( trap 'kill $$child 2>/dev/null; exit 0' TERM; \
	  while true; do \
	    $(BIN)/python manage.py task_worker --queue-name '*' --no-reload & child=$$!; wait $$child; \
	    echo "The task worker exited ($$?); starting it again in 2 s." >&2; sleep 2; \
	  done ) & worker=$$!; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/bandit --quiet -c pyproject.toml -r .
	$(BIN)/pytest $(PYTEST_ARGS)

# Known-vulnerability audit of the locked dependencies. Needs a vulnerability service (PyPI's JSON API or OSV):
# --strict fails when a package could not be checked, so an unreachable service is a failure, not a pass.
audit: install
	$(BIN)/bandit --quiet -c pyproject.toml -r .
	$(BIN)/pip-audit --strict --progress-spinner off -r requirements.lock

setup: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py load_mailinglist_demo

# Production-style serving: debug off, static files collected (served by whitenoise), gunicorn.
# Needs DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and NEWSROOM_SITE_URL (see docs/deploy.md); refuses to start while
# `check --deploy` reports an error. Run `make worker` beside it.
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "Set DJANGO_SECRET_KEY (and DJANGO_ALLOWED_HOSTS) for make serve; see docs/deploy.md" >&2; exit 2; }
	DJANGO_DEBUG=0 $(BIN)/python manage.py check --deploy --fail-level ERROR
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=0 $(BIN)/gunicorn -c gunicorn.conf.py newsroom.wsgi

# Varnish (Debian: varnish, varnish-modules) in the foreground, in front of `make serve` on $(PORT), with the
# repository's VCL filled in (VCL cannot read the environment). Run `make serve` and `make worker` beside it with
# NEWSROOM_VARNISH_URLS=http://127.0.0.1:$(VARNISH_PORT) so purges reach it; see docs/deploy.md, "Behind Varnish".
# It runs as the user who starts it (-j none: its files live under var/, which only that user may read); a server
# runs Debian's varnish service instead, with its own user.
comma := ,
VARNISH_PORT ?= 6081
VARNISH_LISTEN ?= 127.0.0.1:$(VARNISH_PORT)
VARNISH_BACKEND_HOST ?= 127.0.0.1
# The health probe's Host: a name the app accepts (the first of DJANGO_ALLOWED_HOSTS).
VARNISH_HOST_HEADER ?= $(or $(firstword $(subst $(comma), ,$(DJANGO_ALLOWED_HOSTS))),localhost)
VARNISH_STORAGE ?= malloc,256m
VARNISHD ?= $(or $(shell command -v varnishd),/usr/sbin/varnishd)

varnish:
	@test -x "$(VARNISHD)" || { echo "varnishd not found: apt-get install varnish varnish-modules" >&2; exit 2; }
	@mkdir -p var/varnish
	sed -e 's/@BACKEND_HOST@/$(VARNISH_BACKEND_HOST)/' -e 's/@BACKEND_PORT@/$(PORT)/' \
	    -e 's/@BACKEND_HOST_HEADER@/$(VARNISH_HOST_HEADER)/' deploy/varnish/newsroom.vcl > var/varnish/newsroom.vcl
	@echo "Varnish on http://$(VARNISH_LISTEN)/ in front of http://$(VARNISH_BACKEND_HOST):$(PORT)/ (make serve)."
	@echo "Purges: NEWSROOM_VARNISH_URLS=http://$(VARNISH_LISTEN) for make serve and make worker. Ctrl-C stops it."
	exec "$(VARNISHD)" -F -j none -n "$(CURDIR)/var/varnish/work" -a "$(VARNISH_LISTEN)" \
	    -f "$(CURDIR)/var/varnish/newsroom.vcl" -s "$(VARNISH_STORAGE)"

# The task worker (emails, image renditions, newsletter batches); it outlives database restarts. Supervise it in
# production (deploy/systemd/newsroom-worker.service restarts it if it exits or hangs).
worker: install
	$(BIN)/python manage.py task_worker --queue-name '*' --no-reload

install: $(STAMP)

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.x")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin after editing the ranges in pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
