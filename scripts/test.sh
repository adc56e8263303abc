#!/usr/bin/env bash
# One command: set up (idempotent), then run the whole test suite.
# PostgreSQL tests use $BACKFILL_TEST_PG_URL when set, else start their own server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# -n 2: two pytest-xdist workers, both cores of a 2-core machine (tests/conftest.py: how tests are shared)
exec .venv/bin/python -m pytest -n 2 "$@"
