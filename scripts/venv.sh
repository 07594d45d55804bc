#!/usr/bin/env bash
# Create .venv and install requirements.lock into it (idempotent: skipped when the lock has not changed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.pilab-lock-$(sha256sum requirements.lock | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
  .venv/bin/uv pip sync --quiet --python .venv/bin/python requirements.lock
  rm -f .venv/.pilab-lock-*
  touch "$stamp"
fi
