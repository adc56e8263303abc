#!/usr/bin/env bash
# Refresh constraints.txt: the exact versions of every package the project and its tests install.
#
#   bash scripts/refresh_constraints.sh          # newest versions pyproject.toml allows, into constraints.txt
#   bash scripts/test.sh                         # then the whole suite must pass with them; commit both
#
# It builds a throwaway virtual environment without the old constraints, installs the project with its
# test extra, and writes `pip freeze` of it (the project itself left out). scripts/setup.sh installs
# with `-c constraints.txt`, so every machine runs the versions the suite last passed with.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
tmp=$(mktemp -d /tmp/backfill-constraints.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
PYTHONWARNINGS="ignore:Editable installation:UserWarning" "$tmp/venv/bin/python" -m pip install -q -e ".[test]"
{
  echo "# The versions the test suite passed with (pip freeze, the project left out)."
  echo "# Made by scripts/refresh_constraints.sh; used by scripts/setup.sh (pip install -c constraints.txt)."
  "$tmp/venv/bin/python" -m pip freeze --exclude funeral-backfill | grep -v '^-e '
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages): now run bash scripts/test.sh and commit it"
