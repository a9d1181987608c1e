# The two commands of the README, and a few helpers. Everything installs into ./.venv.
.PHONY: run test lint setup setup-dev emulator bench

# Set up (first time: a few minutes, the local model builds from source) and start the studio
# on the local HoneyHive emulator.
run: setup
	.venv/bin/streamlit run app.py

# Set up everything the tests need (incl. Debian's chromium and postgresql) and run the whole suite:
# the database tests run on SQLite and on a PostgreSQL server the suite starts in a temp dir.
test: setup-dev
	.venv/bin/ruff check .
	.venv/bin/pytest

setup:
	scripts/setup

setup-dev:
	scripts/setup --dev

lint:
	.venv/bin/ruff check .

# The emulator alone, e.g. for HoneyHive's SDK or curl: python -m honeyhive_api.emulator --help
emulator: setup
	.venv/bin/python -m honeyhive_api.emulator

bench: setup-dev
	.venv/bin/python -m bench.run_all
