# 效能看板 — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Localhost only unless the deployment says otherwise (XIAONENG_ADDRESS=0.0.0.0 behind a proxy).
ADDRESS ?= $(or $(XIAONENG_ADDRESS),127.0.0.1)

.PHONY: run test lint demo browser java bench clean

# The first admin (printed once, when the users file has none), then the app.
run: $(VENV)/.runtime demo
	$(PY) -m xiaoneng users bootstrap
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

test: $(VENV)/.dev browser java
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(PY) -m ruff check .

# The demo city's snapshot, built once (skipped when a snapshot named demo exists).
demo: $(VENV)/.runtime
	$(PY) -m xiaoneng demo --if-absent

bench: $(VENV)/.runtime
	$(PY) bench/bench_overview.py --cases 1000000

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# Debian packages the tests use (never a browser download): Chromium for the browser tests, CJK
# fonts for screenshots and slides, LibreOffice Impress and poppler to render the deck to PNG.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi
	@if [ ! -x /usr/bin/soffice ] || [ ! -x /usr/bin/pdftoppm ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			libreoffice-impress poppler-utils >/dev/null; \
	fi

# Java 17 for the Spark publish engine (tests/test_spark_engine.py); the machines ship OpenJDK 17.
java:
	@if ! java -version 2>&1 | grep -q 'version "17'; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			openjdk-17-jre-headless >/dev/null; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
