"""The live watch on a real local MLflow store (sqlite): children logged one by one into a running parent
appear poll by poll, every good poll is cached, a failed one keeps the last data, the watch stops itself when
the parent ends; and ``python -m core.automl watch`` prints one line a child. Tests wait for values, never
for the clock."""

import queue
import subprocess
import sys
import threading
import time

import pytest

pytestmark = [  # every test here polls a real MLflow store: slow, out of make check
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
]
pytest.importorskip("mlflow")

from core.automl import AutoMLError, FileSource  # noqa: E402
from core.automl.sources import cache as automl_cache  # noqa: E402
from core.automl.sources import watch as live  # noqa: E402
from core.automl.sources.mlflow_runs import MlflowSource  # noqa: E402
from tests.support.mlflow_parent import wait_for  # noqa: E402


@pytest.fixture(autouse=True)
def no_watch_left():
    """After each test (its ``automl_run`` from the folder's conftest): no watch thread outlives it."""
    yield
    assert live.stop_all(), "a watch thread outlived its test"


@pytest.mark.parametrize(
    ("status", "state"),
    [
        *[("RUNNING", "running"), ("SCHEDULED", "running"), ("Finalizing", "running")],
        *[("FINISHED", "completed"), ("Completed", "completed")],
        *[("FAILED", "failed"), ("Failed", "failed"), ("KILLED", "canceled"), ("Canceled", "canceled")],
        *[("CancelRequested", "running"), (None, "running")],
    ],
)
def test_mlflow_and_azure_statuses_map_to_four_states(status, state):
    assert live.state_of(status) == state


def test_polls_show_children_as_they_arrive_and_end_with_the_parent(automl_run, tmp_path):
    watch = live.Watch(MlflowSource(automl_run.uri, automl_run.parent), "mlflow-live", 1, directory=tmp_path)
    first = watch.poll()
    assert first.data is None and first.error is None and first.state == "running" and not first.done
    one = automl_run.add_child()
    snap = watch.poll()
    assert snap.data.run_ids == [one] and snap.ended_now == (one,)
    assert snap.counts == {"running": 0, "completed": 1, "failed": 0, "canceled": 0}
    assert FileSource(snap.path).load().run_ids == [one]  # every good poll is in the cache
    two, started = automl_run.add_child(), automl_run.start_child(2)
    snap = watch.poll()
    assert snap.data.run_ids == [one, two, started] and snap.ended_now == (two,)  # a row, no metric yet
    assert snap.counts["running"] == 1 and snap.counts["completed"] == 2
    automl_run.client.log_metric(started, "AUC_weighted", 0.5)
    automl_run.client.set_terminated(started, status="FAILED")
    automl_run.finish()
    snap = watch.poll()
    assert snap.state == "completed" and snap.done and snap.next_at is None
    assert snap.ended_now == (started,) and snap.counts["failed"] == 1
    assert snap.data.parent["best_child_run_id"] == two  # the last pull reads the finished parent


def test_a_failed_poll_keeps_the_last_good_data_and_backs_off_with_the_reason(automl_run, tmp_path):
    class Flaky:
        """The real source, but failing while ``down`` is set (as a service that stops answering)."""

        def __init__(self, source):
            self.source, self.label, self.down = source, source.label, False

        def pull(self):
            if self.down:
                raise AutoMLError("MLflow: cannot search the children: ConnectionError: refused")
            return self.source.pull()

    flaky = Flaky(MlflowSource(automl_run.uri, automl_run.parent))
    watch = live.Watch(flaky, "mlflow-flaky", 2, directory=tmp_path)
    automl_run.add_child()
    good = watch.poll()
    flaky.down = True
    bad = watch.poll()
    assert bad.data is good.data and bad.error.endswith("ConnectionError: refused")
    assert bad.failures == 1 and bad.next_at - bad.updated_at == pytest.approx(4, abs=1)
    worse = watch.poll()
    assert worse.failures == 2 and worse.next_at >= bad.next_at + 2  # 2·2² s after the second failure
    assert FileSource(good.path).load().run_ids == good.data.run_ids  # the cache kept the good pull
    flaky.down = False
    automl_run.add_child()
    back = watch.poll()
    assert back.error is None and back.failures == 0 and len(back.data.runs) == 2


def test_never_two_pulls_of_one_source_at_once(automl_run, tmp_path):
    watch = live.Watch(
        MlflowSource(automl_run.uri, automl_run.parent), "mlflow-locked", 0.2, directory=tmp_path
    )
    with live.exclusive("mlflow-locked", timeout=1):
        snap = watch.poll()  # waits its deadline (one interval) for the pull in flight, then says so
    assert "another pull of mlflow-locked is still running" in snap.error
    assert watch.poll().error is None


def test_a_restarted_watch_reopens_with_what_was_seen(automl_run, tmp_path):
    automl_run.add_child()
    automl_run.add_child()
    live.Watch(MlflowSource(automl_run.uri, automl_run.parent), "mlflow-again", 1, directory=tmp_path).poll()
    again = live.Watch(MlflowSource(automl_run.uri, automl_run.parent), "mlflow-again", 1, directory=tmp_path)
    assert len(again.snapshot().data.runs) == 2 and again.snapshot().polls == 0


def test_a_started_watch_follows_the_parent_on_its_thread_and_stops_by_itself(automl_run, tmp_path):
    watch = live.start_watch(
        MlflowSource(automl_run.uri, automl_run.parent), "mlflow-thread", 0.2, directory=tmp_path
    )
    assert (
        live.start_watch(MlflowSource(automl_run.uri, automl_run.parent), "mlflow-thread", 0.2) is watch
    )  # one a source
    assert live.watching(watch.path) is watch
    for n in range(1, 4):
        automl_run.add_child()
        wait_for(lambda n=n: (d := watch.snapshot().data) is not None and len(d.runs) == n)
    automl_run.finish()
    wait_for(lambda: not watch.alive())
    assert watch.snapshot().state == "completed" and live.watching(watch.path) is None


def test_stop_and_pause_end_the_polls_within_a_deadline(automl_run, tmp_path):
    watch = live.start_watch(
        MlflowSource(automl_run.uri, automl_run.parent), "mlflow-stop", 0.2, directory=tmp_path
    )
    wait_for(lambda: watch.snapshot().polls >= 1)
    watch.pause()
    held = watch.snapshot().polls
    automl_run.add_child()
    time.sleep(0.5)  # no polls while paused (a count, not a timing, is asserted)
    assert watch.snapshot().polls <= held + 1 and watch.snapshot().paused
    watch.pause(paused=False)
    wait_for(lambda: (d := watch.snapshot().data) is not None and len(d.runs) == 1)
    assert watch.stop(timeout=5) and not watch.alive()


@pytest.mark.slow
def test_the_command_line_prints_each_child_as_it_ends_and_exits_with_the_parent(automl_run, tmp_path):
    """``watch`` in its own interpreter while this test logs children into the parent one by one."""
    command = [
        sys.executable,
        "-m",
        "core.automl",
        "watch",
        "--mlflow",
        automl_run.uri,
        "--parent",
        automl_run.parent,
    ]
    proc = subprocess.Popen(
        [*command, "--every", "0.2", "--out", str(tmp_path)], stdout=subprocess.PIPE, text=True, bufsize=1
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True)
    reader.start()
    said = []
    try:
        for n in range(3):
            automl_run.add_child()
            said.append(lines.get(timeout=60).strip())
            assert said[-1].startswith(f"#{n} "), said
        automl_run.finish()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=10)
    assert said == [
        "#0 LightGBM AUC_weighted=0.9410 · best so far 0.9410 (#0)",
        "#1 XGBoostClassifier AUC_weighted=0.9520 · best so far 0.9520 (#1)",
        "#2 LogisticRegression AUC_weighted=0.9030 · best so far 0.9520 (#1)",
    ]
    last = lines.get(timeout=10)
    assert last.startswith("parent completed: 3 children (completed 3); cached as ")
    assert (
        FileSource(automl_cache.path_for(f"mlflow-{automl_run.parent}", tmp_path)).load().run_ids
        == automl_run.children
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["watch", "--mlflow", "sqlite:///x.db"], "watch --mlflow needs --parent RUN_ID"),
        (["watch", "--mlflow", "sqlite:///x.db", "--parent", "p", "--every", "0"], "--every 0 is not in"),
        (["watch", "--azure", "--run", "x"], "watch --azure needs --experiment NAME and --run RUN_ID"),
        (["watch", "--mlflow", "ftp://h/x", "--parent", "p"], "scheme 'ftp' are not allowed"),
    ],
)
def test_bad_watch_input_is_one_line_and_exit_status_2(args, said, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.returncode == 2 and said in result.stderr and len(result.stderr.splitlines()) == 1
