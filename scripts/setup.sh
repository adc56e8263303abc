#!/usr/bin/env bash
# Set up funeral-backfill on a fresh Debian machine: system packages (when root), then a
# virtual environment in .venv with the project and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx + openssl: the review app's TLS proxy (docs/review-nginx.conf), tested against the real package
APT_PACKAGES=(poppler-utils tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk fonts-arphic-ukai
              fonts-arphic-uming libgl1 libglib2.0-0 postgresql chromium nginx openssl)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing system packages: ${missing[*]}" >&2
    echo "run: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# reinstall when pyproject.toml or constraints.txt change
stamp=.venv/.installed-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # constraints.txt: the exact versions the tests passed with (refresh: scripts/refresh_constraints.sh).
  # The filter hides setuptools' notice that every editable install of a flat layout prints (folders
  # named like the packages take precedence), which is how this checkout is meant to be used.
  PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
    .venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
  touch "$stamp"
fi
echo "setup done: .venv ready"
