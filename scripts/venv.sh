#!/usr/bin/env bash
# Create .venv and install a lock into it (idempotent: skipped when that lock has not changed).
#   scripts/venv.sh       requirements.lock (`make run`, `make check`); a .venv already synced from
#                         requirements-ray.lock is kept as it is: it holds every version of requirements.lock
#   scripts/venv.sh ray   requirements-ray.lock: the same set plus Ray (`make test`, `make ray`)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# The stamp names the lock and how it was installed (bytecode compiled: see below).
stamp() { echo ".venv/.pilab-lock-$( (cat "$1"; echo compile-bytecode) | sha256sum | cut -c1-16)"; }
pins() { grep -o '^[^ #]*==[^ ]*' "$1" | sort; }
# The Ray lock is resolved against requirements.lock (`make lock`): it must still hold every one of its pins.
ray_lock_current() { [ -z "$(comm -23 <(pins requirements.lock) <(pins requirements-ray.lock))" ]; }

if [ "${1:-}" = ray ]; then
  if ! ray_lock_current; then
    echo "requirements-ray.lock lacks versions of requirements.lock: run 'make lock'" >&2
    exit 1
  fi
  lock=requirements-ray.lock
else
  lock=requirements.lock
  if [ -f "$(stamp requirements-ray.lock)" ] && ray_lock_current; then
    exit 0
  fi
fi
if [ ! -f "$(stamp "$lock")" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
  # Compiled once here, not by every process that imports a module: where PYTHONDONTWRITEBYTECODE is set
  # (this project's CI), each worker, server and test would otherwise compile NumPy, Numba, pandas and
  # Streamlit from source at every start (imports 5.0 s -> 2.0 s).
  .venv/bin/uv pip sync --quiet --compile-bytecode --python .venv/bin/python "$lock"
  rm -f .venv/.pilab-lock-*
  touch "$(stamp "$lock")"
fi
