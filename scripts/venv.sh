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
stamp() { echo ".venv/.pilab-lock-$(sha256sum "$1" | cut -c1-16)"; }
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
  .venv/bin/uv pip sync --quiet --python .venv/bin/python "$lock"
  rm -f .venv/.pilab-lock-*
  touch "$(stamp "$lock")"
fi
