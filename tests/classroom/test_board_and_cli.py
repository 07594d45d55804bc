"""The board's numbers, a student's run (the server's seed, the pooled estimate right within a few σ), and
the command line."""

import json
import math

import pytest

from core.classroom import ClassStore, RoundClosed, board, record_estimate, run_for_student, sigma
from core.classroom.__main__ import main
from core.pi import estimate
from tests.support.cli import run_here


def test_sigma():
    p = math.pi / 4
    assert sigma(10_000) == pytest.approx(4 * math.sqrt(p * (1 - p) / 10_000))


def test_thirty_students_pool_to_pi(store):
    found = store.open_round("Class", n=200_000, backends=["numpy"])
    runs = [run_for_student(store, round=found, visitor=f"s{i}", backend="numpy") for i in range(30)]
    assert len({r.result.seed for r in runs}) == 30
    assert all(r.result.seed == store.seed_for(found, f"s{i}") for i, r in enumerate(runs))
    b = board(store, found.id)
    assert b.count == 30 and len(b.runs) == 30 and b.pooled_n == 30 * 200_000
    assert b.pooled_sigma == pytest.approx(sigma(6_000_000))
    assert abs(b.pooled_pi - math.pi) < 4 * b.pooled_sigma
    assert b.pooled_history["runs"].tolist() == list(range(1, 31))
    assert b.pooled_history["pooled_pi"].iloc[-1] == pytest.approx(b.pooled_pi)
    assert b.within_2sigma >= 0.7 and b.within_1sigma <= b.within_2sigma
    assert list(b.runs.columns) == [
        "nickname",
        "backend",
        "n",
        "estimate",
        "error",
        "z",
        "sigma",
        "samples_per_s",
    ]
    assert b.fastest["backend"].tolist() == ["numpy"] and b.fastest["runs"].tolist() == [30]
    z = (runs[0].estimate.pi - math.pi) / sigma(200_000)
    assert b.runs["z"].iloc[0] == pytest.approx(z)


def test_board_reads_only_its_round(store):
    a = store.open_round("A", n=1000, backends=["numpy"])
    other = store.open_round("B", n=1000, backends=["numpy"])
    run_for_student(store, round=a, visitor="x", backend="numpy", nickname="Alice")
    run_for_student(store, round=other, visitor="y", backend="numpy", nickname="Bob")
    b = board(store, a.id)
    assert b.runs["nickname"].tolist() == ["Alice"] and b.count == 1
    assert "visitor" not in b.runs.columns
    with pytest.raises(RoundClosed):
        board(store, 999)


def test_record_estimate_and_refusals(store):
    found = store.open_round("R", n=5000, backends=["numpy"], fixed_seed=11)
    done = estimate("numpy", 5000, seed=11)
    result = record_estimate(store, round=found, visitor="v", nickname="N", estimate=done)
    assert (result.inside, result.seed, result.n) == (done.inside, 11, 5000)
    again = run_for_student(store, round=found, visitor="w", backend="numpy", seed=3)
    assert again.result.seed == 11 and again.result.inside == done.inside  # the round's seed wins
    with pytest.raises(RoundClosed):
        run_for_student(store, round=found, visitor="w", backend="python")


def test_cli_round_life(tmp_path, capsys):
    db = f"sqlite:///{tmp_path}/c.db"
    opened = run_here(
        main, "--db", db, "open", "Lesson 1", "--n", "1e4", "--backends", "numpy", capsys=capsys
    )
    assert opened.returncode == 0
    rid = opened.stdout.strip()
    ran = run_here(main, "--db", db, "run", rid, "--backend", "numpy", "--seed", "5", "--json", capsys=capsys)
    assert ran.returncode == 0 and json.loads(ran.stdout)["seed"] == 5
    listed = run_here(main, "--db", db, "list", capsys=capsys)
    assert "Lesson 1" in listed.stdout and listed.stdout.strip().endswith("1")
    shown = json.loads(run_here(main, "--db", db, "show", rid, "--json", capsys=capsys).stdout)
    assert shown["count"] == 1 and shown["round"]["name"] == "Lesson 1"
    assert run_here(main, "--db", db, "rename", rid, "L2", capsys=capsys).returncode == 0
    assert run_here(main, "--db", db, "close", rid, capsys=capsys).returncode == 0
    refused = run_here(main, "--db", db, "run", rid, "--backend", "numpy", capsys=capsys)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "closed" in refused.stderr
    assert run_here(main, "--db", db, "reopen", rid, capsys=capsys).returncode == 0
    csv_text = run_here(main, "--db", db, "export", rid, capsys=capsys).stdout
    assert csv_text.startswith("id,round_id,nickname") and len(csv_text.splitlines()) == 2
    doc = json.loads(run_here(main, "--db", db, "export", rid, "--format", "json", capsys=capsys).stdout)
    assert doc["round"]["name"] == "L2"
    assert run_here(main, "--db", db, "delete", rid, capsys=capsys).returncode == 0
    gone = run_here(main, "--db", db, "show", rid, capsys=capsys)
    assert gone.returncode == 2 and "there is no round" in gone.stderr
    spanish = run_here(main, "--db", db, "--lang", "es", "show", rid, capsys=capsys)
    assert spanish.returncode == 2 and "no hay" in spanish.stderr


def test_cli_bad_db_one_line(tmp_path, capsys):
    bad = run_here(main, "--db", "nosuch://x", "list", capsys=capsys)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "cannot be reached" in bad.stderr


def test_store_url_default_under_data_dir(tmp_path):
    with ClassStore.open(data_dir=tmp_path / "d") as store:
        store.open_round("R", n=10, backends=["numpy"])
    assert (tmp_path / "d" / "classroom.sqlite3").is_file()
