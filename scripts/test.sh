#!/usr/bin/env bash
# One command: set up (idempotent), then run the whole test suite.
# PostgreSQL tests use $BACKFILL_TEST_PG_URL when set, else start their own server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
