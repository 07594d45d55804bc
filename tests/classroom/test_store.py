"""The class store on a real database: rounds, results, seeds, nicknames, exports; nothing acknowledged lost
(60 at once, a SIGKILL); a full disk, a locked database and a full queue each one clear message."""

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from core.classroom import NICKNAME_MAX, ClassStore, RoundClosed, StoreUnavailable, default_nickname
from core.classroom.schema import SCHEMA_VERSION
from core.runtime.i18n import translator


def record(store, found, *, visitor="v", backend="numpy", n=None, inside=7850):
    return store.record(round=found, visitor=visitor, nickname="Ann", backend=backend, n=n or found.n,
                        seed=1, inside=inside, elapsed_s=0.01, compile_s=0.0)  # fmt: skip


def test_rounds_open_close_reopen_rename_delete(store):
    a = store.open_round("First", n=10_000, backends=["numpy", "numba"])
    b = store.open_round("  Second\x00 ", n=1000, backends=["numpy"], fixed_seed=7)
    assert (a.name, a.n, a.backends, a.open, a.fixed_seed) == (
        "First",
        10_000,
        ("numpy", "numba"),
        True,
        None,
    )
    assert b.name == "Second" and b.fixed_seed == 7
    assert [r.id for r in store.rounds()] == [b.id, a.id]
    assert store.current_round().id == b.id
    store.close_round(b.id)
    assert store.round(b.id).open is False and store.current_round().id == a.id
    store.reopen_round(b.id)
    store.rename_round(b.id, "Renamed")
    assert store.round(b.id).name == "Renamed" and store.round(b.id).open
    record(store, store.round(b.id))
    store.delete_round(b.id)
    assert store.round(b.id) is None and store.count(b.id) == 0 and [r.id for r in store.rounds()] == [a.id]


def test_schema_version_recorded_and_reopen_keeps_data(tmp_path):
    with ClassStore.open(data_dir=tmp_path) as store:
        found = store.open_round("R", n=100, backends=["numpy"])
        record(store, found, inside=80)
    with ClassStore.open(data_dir=tmp_path) as store:
        assert store.count(found.id) == 1 and store.results(found.id)[0].estimate == 3.2
    db = sqlite3.connect(tmp_path / "classroom.sqlite3")
    assert db.execute("select max(version) from schema_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    db.close()


def test_record_checks_the_round(store):
    found = store.open_round("R", n=1000, backends=["numpy"])
    result = record(store, found)
    assert (result.round_id, result.inside, result.estimate) == (found.id, 7850, 4 * 7850 / 1000)
    with pytest.raises(RoundClosed, match="numpy only, not python"):
        record(store, found, backend="python")
    with pytest.raises(RoundClosed, match="n = 1000 only"):
        record(store, found, n=999)
    store.close_round(found.id)
    with pytest.raises(RoundClosed, match="closed"):
        record(store, found)  # the Round given is stale: the store's own state decides
    late = store.open_round("Late", n=1000, backends=["numpy"], closes_at=time.time() - 1)
    assert not late.accepting() and store.current_round() is None
    with pytest.raises(RoundClosed):
        record(store, late)
    assert store.count(found.id) == 1


def test_seeds_drawn_per_visitor_and_stable(store):
    found = store.open_round("R", n=1000, backends=["numpy"])
    seeds = [store.seed_for(found, f"v{i}") for i in range(20)]
    assert len(set(seeds)) == 20
    assert [store.seed_for(found, f"v{i}") for i in range(20)] == seeds
    other = store.open_round("Other", n=1000, backends=["numpy"])
    assert store.seed_for(other, "v0") != seeds[0]
    fixed = store.open_round("Fixed", n=1000, backends=["numpy"], fixed_seed=42)
    assert store.seed_for(fixed, "v0") == store.seed_for(fixed, "v1") == 42


def test_nicknames_text_and_length_limited(store):
    assert store.nickname("v") is None
    kept = store.set_nickname("v", "  <b>Bob</b>\x1b[31m" + "x" * 100)
    assert kept == ("<b>Bob</b>[31m" + "x" * 100)[:NICKNAME_MAX] and len(kept) == NICKNAME_MAX
    assert store.nickname("v") == kept
    assert default_nickname("v") == default_nickname("v") != default_nickname("w")


def test_results_newest_limit_and_exports(store):
    found = store.open_round("R", n=1000, backends=["numpy"])
    ids = [record(store, found, visitor=f"v{i}", inside=700 + i).id for i in range(12)]
    store.set_nickname("x", "=cmd")
    store.record(round=found, visitor="x", nickname="=cmd", backend="numpy", n=1000, seed=1, inside=1,
                 elapsed_s=1, compile_s=0)  # fmt: skip
    assert [r.id for r in store.results(found.id, limit=5)][:4] == ids[-4:]
    assert store.count(found.id) == 13
    assert store.totals(found.id) == (13, sum(700 + i for i in range(12)) + 1, 13_000)
    csv_text = store.export_csv(found.id)
    assert csv_text.splitlines()[0].startswith("id,round_id,nickname") and "v0" not in csv_text
    assert "'=cmd" in csv_text and len(csv_text.splitlines()) == 14
    doc = json.loads(store.export_json(found.id))
    assert doc["round"]["name"] == "R" and len(doc["results"]) == 13 and "visitor" not in doc["results"][0]


def test_sixty_concurrent_records_all_appear(store):
    found = store.open_round("R", n=1000, backends=["numpy"])
    start, acknowledged, errors = threading.Barrier(60), [], []

    def student(i):
        try:
            start.wait(timeout=30)
            acknowledged.append(record(store, found, visitor=f"s{i}", inside=780 + i).id)
        except Exception as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(acknowledged) == 60
    assert sorted(r.id for r in store.results(found.id)) == sorted(acknowledged)
    assert {r.visitor for r in store.results(found.id)} == {f"s{i}" for i in range(60)}


def test_sigkill_mid_round_keeps_every_acknowledged_result(tmp_path):
    with ClassStore.open(data_dir=tmp_path) as store:
        found = store.open_round("R", n=20_000, backends=["numpy"])
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.classroom", str(tmp_path), str(found.id)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    acknowledged, deadline = [], time.monotonic() + 120
    try:
        while len(acknowledged) < 25 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acknowledged.append(int(line))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert len(acknowledged) >= 25
    with ClassStore.open(data_dir=tmp_path) as store:
        kept = {r.id for r in store.results(found.id)}
    assert set(acknowledged) <= kept


def test_full_disk_is_one_clear_message(tmp_path):
    with ClassStore.open(data_dir=tmp_path) as store:
        found = store.open_round("R", n=1000, backends=["numpy"])
    db = sqlite3.connect(tmp_path / "classroom.sqlite3")
    db.execute("pragma wal_checkpoint(TRUNCATE)")
    pages = db.execute("pragma page_count").fetchone()[0]
    db.close()
    with ClassStore.open(data_dir=tmp_path, sqlite_pragmas={"max_page_count": pages + 1}) as store:
        acknowledged, refusal = [], None
        for i in range(5000):
            try:
                acknowledged.append(record(store, found, visitor=f"v{i}" * 20).id)
            except StoreUnavailable as exc:
                refusal = exc
                break
        assert refusal is not None and "full" in str(refusal)
        assert "llena" in refusal.text(translator("es"))
        assert {r.id for r in store.results(found.id, limit=10_000)} == set(acknowledged)
        assert store.round(found.id).name == "R"  # the store still answers


def test_locked_database_is_one_clear_message(tmp_path):
    with ClassStore.open(data_dir=tmp_path) as store:
        found = store.open_round("R", n=1000, backends=["numpy"])
        before = record(store, found).id
        other = sqlite3.connect(tmp_path / "classroom.sqlite3", timeout=0, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreUnavailable, match="locked by another program") as caught:
                record(store, found)
            assert "bloquead" in caught.value.text(translator("es"))
        finally:
            other.execute("ROLLBACK")
            other.close()
        after = record(store, found).id  # works again once the lock is gone
        assert [r.id for r in store.results(found.id)] == [before, after]


def test_full_queue_refused_at_once(tmp_path):
    store = ClassStore.open(data_dir=tmp_path, queue_max=1)
    found = store.open_round("R", n=1000, backends=["numpy"])
    other = sqlite3.connect(tmp_path / "classroom.sqlite3", timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # the writer waits on the lock: the queue fills
    errors = []

    def write():
        try:
            record(store, found)
        except StoreUnavailable as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    other.execute("ROLLBACK")
    other.close()
    store.close()
    assert any("too many results waiting" in e for e in errors)


def test_unreachable_url_is_one_clear_message(tmp_path):
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        ClassStore.open("nosuchdialect://x/y", data_dir=tmp_path)
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        ClassStore.open(f"sqlite:///{tmp_path}/no/such/dir/x.db", data_dir=tmp_path)


def test_settings_class_db():
    from core.runtime.access import Settings

    assert Settings.from_mapping({}, env={}).class_db is None
    assert Settings.from_mapping({"class_db": "postgresql://h/db"}, env={}).class_db == "postgresql://h/db"
    assert Settings.from_mapping({}, env={"PILAB_CLASS_DB": "sqlite:///x"}).class_db == "sqlite:///x"
    assert sa.make_url("sqlite:///x").get_backend_name() == "sqlite"
