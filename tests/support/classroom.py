"""A small driver for the class store's kill test: records numpy runs in a loop into one round and prints
each acknowledged result id (one per line, flushed) until killed."""

from __future__ import annotations

import sys
from pathlib import Path

from core.classroom import ClassStore, run_for_student


def main(argv: list[str]) -> int:
    data_dir, round_id = Path(argv[0]), int(argv[1])
    store = ClassStore.open(data_dir=data_dir)
    found = store.round(round_id)
    assert found is not None
    k = 0
    while True:
        k += 1
        run = run_for_student(store, round=found, visitor=f"driver-{k % 7}", backend="numpy")
        print(run.result.id, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
