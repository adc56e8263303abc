#!/usr/bin/env bash
# One command: set up, then run the main job on the bundled samples with embedded defaults
# (SQLite working store and platform in ./backfill-data, no server to start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/backfill run samples/
.venv/bin/backfill export --out backfill-data/export.csv
.venv/bin/backfill load
