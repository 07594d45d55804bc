"""Background jobs: results, cancel that keeps partial work, failures as messages, a bounded queue."""

import threading
import time

import pytest

from core.pi import estimate
from core.pi.request import Request, run_backends
from core.runtime.jobs import Busy, JobRunner
from tests.support.waiting import wait_over, wait_until


def test_a_run_of_several_backends_gives_their_estimates_in_order():
    request = Request(("numpy_chunked", "numba_parallel", "numba"), 200_000, seed=3, workers=2)
    job = wait_over(JobRunner().submit("π", lambda j: run_backends(request, j)))
    assert job.state == "done" and job.error is None
    assert [e.backend for e in job.result] == list(request.backends)
    exact = estimate("numba_parallel", 200_000, seed=3).inside
    assert job.result[0].inside == job.result[1].inside == exact
    assert job.done == job.total == 200_000 and job.fraction == 1.0


def test_cancel_stops_within_a_second_and_keeps_what_finished():
    request = Request(("numpy_chunked", "numba_parallel"), 10**6, seed=1)
    slow = Request(("python",), 10**9, seed=1)

    def work(job):
        run_backends(request, job)
        return run_backends(slow, job)

    job = JobRunner().submit("π", work)

    def counting() -> bool:
        return job.stage == "python (1 of 1)" and job.done > 0

    wait_until(counting, timeout=60, what="the python loop counting")
    job.cancel()
    wait_over(job, timeout=30)  # generous: the python loop checks between chunks of 65,536 samples
    done_at_stop = job.done
    assert job.state == "cancelled" and job.error is None
    assert [e.backend for e in job.partial] == ["numpy_chunked", "numba_parallel"]
    assert 0 < job.done < 10**9
    time.sleep(0.1)
    assert job.done == done_at_stop  # nothing runs on after the stop


def test_refused_backends_are_named_and_skipped():
    request = Request(("numpy", "numba_parallel", "nope"), 10**9, seed=1)
    refused = request.refusals()
    assert set(refused) == {"numpy", "nope"}
    assert "numpy_chunked" in refused["numpy"]  # the message names a backend that can do it
    assert request.runnable() == ("numba_parallel",)


def test_a_failing_job_reports_one_line_and_the_runner_goes_on():
    runner = JobRunner()

    def broken(job):
        job.partial.append("kept")
        raise ValueError("n must be a whole number")

    job = wait_over(runner.submit("bad", broken))
    assert job.state == "failed" and job.error == "n must be a whole number" and job.partial == ["kept"]
    assert wait_over(runner.submit("good", lambda j: 42)).result == 42


def test_jobs_take_turns_and_a_full_queue_refuses_more():
    runner = JobRunner(slots=1, max_waiting=2)
    gate = threading.Event()
    first = runner.submit("first", lambda j: gate.wait(10))
    wait_until(lambda: first.state == "running", timeout=10, what="the first job running")
    second = runner.submit("second", lambda j: 2)
    third = runner.submit("third", lambda j: 3)
    assert runner.waiting_ahead(third) == 1 and runner.waiting_ahead(second) == 0
    with pytest.raises(Busy):
        runner.submit("fourth", lambda j: 4)
    gate.set()
    assert wait_over(third).result == 3 and second.state == "done"
    assert first.state == "done" and first.result is True


def test_a_job_cancelled_while_queued_never_starts():
    runner = JobRunner(slots=1)
    gate = threading.Event()
    runner.submit("busy", lambda j: gate.wait(10))
    ran = []
    queued = runner.submit("queued", lambda j: ran.append(1))
    queued.cancel()
    gate.set()
    assert wait_over(queued).state == "cancelled" and ran == []


def test_a_job_that_ignores_cancel_is_ended_and_frees_its_slot():
    runner = JobRunner(slots=1, grace_s=0.5)
    stuck, release = threading.Event(), threading.Event()

    def deaf(job):  # never looks at should_stop()
        stuck.set()
        release.wait(60)
        return "too late"

    first = runner.submit("deaf", deaf)
    second = runner.submit("next", lambda j: 2)
    assert stuck.wait(10)
    first.cancel()
    try:
        assert wait_over(second, timeout=30).result == 2  # the slot went to the next job
        assert first.state == "cancelled" and "did not stop within 0.5 s" in first.error
    finally:
        release.set()
    time.sleep(0.1)
    assert first.state == "cancelled" and first.result is None  # a late return changes nothing


def test_a_job_without_progress_is_stopped_with_a_message():
    runner = JobRunner(slots=1, stall_s=0.5, grace_s=0.5)
    request = Request(("python",), 10**9, seed=1)

    def silent_then_running(job):
        job.begin_stage("silent", 1)
        while not job.should_stop():  # no progress reported: the watchdog asks it to stop
            time.sleep(0.01)
        return run_backends(request, job)  # the engine sees the stop and raises Cancelled

    job = wait_over(runner.submit("π", silent_then_running), timeout=30)
    assert job.state == "failed"
    assert job.error == "silent made no progress for 0.5 s and was stopped"


@pytest.mark.slow
def test_a_job_that_reports_progress_is_never_stopped_as_stalled():
    runner = JobRunner(slots=1, stall_s=0.5)

    def busy(job):
        for i in range(20):
            job.progress(i, 20)
            time.sleep(0.1)  # 2 s in all, four times the stall limit, with news every 0.1 s
        return "ok"

    job = wait_over(runner.submit("busy", busy), timeout=30)
    assert job.state == "done" and job.result == "ok"


def test_the_watchdogs_reason_reads_in_the_visitors_language_and_stays_english_in_error():
    from core.runtime.i18n import translator
    from core.runtime.jobs import OVER_BUDGET, Job

    job = Job(label="π")
    reason = job.stop_for(OVER_BUDGET, what="numba (1 of 2)", seconds="60")
    job.end("failed", reason)
    assert job.error == "numba (1 of 2) ran past its time budget of 60 s and was stopped"
    assert job.error_text() == job.error
    es = job.error_text(translator("es"))
    assert es == "numba (1 of 2) superó su presupuesto de tiempo de 60 s y se detuvo"
    other = Job(label="x")
    other.end("failed", "ValueError: bad")
    assert other.error_text(translator("es")) == "ValueError: bad"
