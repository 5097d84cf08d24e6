# The README's two commands: `make run` and `make test`. Everything else is a step they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test lint typecheck setup system-packages test-system-packages test-services python-deps assets translations \
        translations-extract translations-update translations-review bench

run: setup
	$(VENV)/bin/flask --app wsgi run --host 127.0.0.1 --port 5000

test: setup test-system-packages test-services lint typecheck
	$(PY) -m pytest -p no:cacheprovider
	node --test tests/js/

setup: system-packages python-deps assets translations

# Style and correctness checks (configuration in pyproject.toml).
lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The browser code's JSDoc types, checked by TypeScript (tsconfig.json); nothing is emitted.
typecheck: assets
	npx --no-install tsc --noEmit -p tsconfig.json

# Debian packages: Python's venv and Node.js to build; Chromium, ffmpeg, nginx, Redis to test.
system-packages:
	@command -v node >/dev/null && command -v npm >/dev/null || scripts/system-packages.sh nodejs npm
	@python3 -m venv --help >/dev/null 2>&1 || scripts/system-packages.sh python3 python3-venv

test-system-packages:
	@scripts/system-packages.sh chromium ffmpeg fonts-noto-core fonts-noto-cjk wrk nginx redis-server

# Redis on 127.0.0.1:6379 for the shared rate-limit counters (started here if not running;
# nothing written to disk). The real-stack tests start their own nginx and gunicorn.
test-services:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

python-deps: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml partner-kit/pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]' -e partner-kit
	touch $@

assets: node_modules/.package-lock.json
	node scripts/vendor.mjs
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Catalogs: extract the messages, merge them into every locale's .po, compile to .mo.
translations:
	$(PYBABEL) -q compile -d translations

translations-extract:
	$(PYBABEL) -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --no-wrap --sort-output \
		--project OpenNCII -o translations/messages.pot .

translations-update: translations-extract
	$(PYBABEL) -q update -N --no-wrap --ignore-obsolete -i translations/messages.pot -d translations

# The reviewer's sheet for a second fluent reader: make translations-review LOCALE=he
translations-review: python-deps
	@test -n "$(LOCALE)" || { echo "usage: make translations-review LOCALE=xx"; exit 2; }
	$(PY) scripts/translations_review.py $(LOCALE)

# Benchmarks print ratios against a baseline measured in the same run. Full runs are manual;
# `make test` runs each one's --quick smoke mode (tests/test_benchmarks.py).
bench: setup test-system-packages
	for script in hashing pages cases feed retention wizard; do $(PY) bench/$$script.py || exit 1; done
