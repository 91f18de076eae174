# The two commands: `make run` (install, migrate, seed, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install static lint worker clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Front-end libraries come from the npm registry through package-lock.json. Without npm the
# pages still work: in-place actions fall back to ordinary form posts.
static/vendor/htmx.min.js: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --silent && mkdir -p static/vendor && \
		cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js; \
	else echo "npm not found: serving without htmx (forms post normally)"; fi

static: static/vendor/htmx.min.js

run: install static
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Coalition SDA Portal: http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins: us_operator, uk_staff, au_staff, fr_staff, agreement_admin, security_officer, security_officer2, visitor"
	@echo "  Password for all: coalition-demo"
	@echo "  agreement_admin and the security officers then enter a one-time password:"
	@echo "  $(PY) manage.py demo_otp   prints each one's current code"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install static
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run

worker: install
	$(VENV)/bin/celery -A portal worker --beat --loglevel=info --concurrency=2

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
