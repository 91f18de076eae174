# The two commands: `make run` (install, migrate, seed, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

WEB_WORKERS ?= 3
WEB_THREADS ?= 4

.PHONY: run serve test install static lint worker beat clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# Front-end libraries come from the npm registry through package-lock.json. Without npm the
# pages still work: in-place actions fall back to ordinary form posts.
# Without chart.js the calibration and retasking pages show their tables and no charts; the
# what-if map is chartjs-chart-geo over Natural Earth's land outline from world-atlas.
VENDOR := static/vendor/htmx.min.js static/vendor/chart.umd.min.js static/vendor/chartjs-chart-geo/index.umd.min.js \
	static/vendor/land-110m.json

NPM := $(shell command -v npm 2>/dev/null)

# With npm the libraries are copied in first and a newer copy makes the collection stale. Without
# npm they never appear: their absence alone must not collect again on every run.
staticfiles/staticfiles.json: $(VENV)/.installed $(if $(NPM),$(VENDOR)) $(shell find static -type f 2>/dev/null)
	DEBUG=0 SECRET_KEY=collectstatic-only $(PY) manage.py collectstatic --no-input --clear >/dev/null
	@test -f $@

# Installs the packages and builds the static files that DEBUG=0 serves (whitenoise manifest).
install: $(VENV)/.installed staticfiles/staticfiles.json

$(VENDOR) &: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --silent && mkdir -p static/vendor && \
		cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js && \
		cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
			static/vendor/ && \
		mkdir -p static/vendor/chartjs-chart-geo && cp node_modules/chartjs-chart-geo/build/index.umd.min.js \
			node_modules/chartjs-chart-geo/build/index.umd.min.js.map static/vendor/chartjs-chart-geo/ && \
		cp node_modules/world-atlas/land-110m.json static/vendor/land-110m.json; \
	else echo "npm not found: serving without htmx (forms post normally) and without charts"; fi

static: $(VENDOR)

# Migrating, seeding and printing the demo codes run in one process (prepare_demo): each
# manage.py command costs Django's start-up, and a second run has little else to do.
run: install static
	$(PY) manage.py prepare_demo
	@echo ""
	@echo "  Coalition SDA Portal: http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins: us_operator, uk_staff, au_staff, fr_staff, agreement_admin, security_officer, security_officer2, visitor"
	@echo "  Password for all: coalition-demo"
	@echo "  agreement_admin and the security officers then enter a one-time password: the demo"
	@echo "  keys (add them to any authenticator app) and the codes of this moment are above."
	@echo "  Codes change every 30 s: $(PY) manage.py demo_otp prints the current ones."
	@echo ""
	@# No broker: the periodic jobs (expiry, fulfilment, sync) run in-process beside the server.
	$(PY) manage.py run_embedded_beat & beat=$$!; trap 'kill $$beat 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production server: gunicorn with DEBUG=0 (SECRET_KEY and ALLOWED_HOSTS from the environment;
# see docs/operations.md). Binds 127.0.0.1 unless BIND is given; put a TLS proxy in front.
BIND ?= 127.0.0.1:$(PORT)
serve: install
	$(PY) manage.py migrate --no-input
	DEBUG=0 $(VENV)/bin/gunicorn portal.wsgi:application --bind $(BIND) \
		--workers $(WEB_WORKERS) --threads $(WEB_THREADS) --timeout 120 --graceful-timeout 30 \
		--max-requests 2000 --max-requests-jitter 200 --access-logfile -

test: install static
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

worker: install
	$(VENV)/bin/celery -A portal worker --beat --loglevel=info --concurrency=2

# Production: workers and one beat as separate processes (see docs/operations.md).
beat: install
	$(VENV)/bin/celery -A portal beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
