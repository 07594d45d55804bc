"""One student is one student: the visitor cookie is signed (a wrong signature is a new visitor), and what a
student may run is decided by one ``Policy`` (π runs, sweeps, lessons, the runner's limits)."""

import dataclasses
import time

import pytest

from core.lessons import get
from core.lessons.background import run_lesson
from core.runtime import cancel
from core.runtime.access import Settings
from core.runtime.i18n import translator
from core.runtime.jobs import Busy, JobRunner
from core.runtime.policy import Policy, student_max_workers
from core.runtime.visitors import ID_LENGTH, Visitor, new_id, signed, verified
from tests.support.waiting import wait_over

KEY = b"the server's secret"


def test_a_signed_visitor_id_reads_back_and_a_forged_one_is_none():
    visitor_id = new_id()
    assert len(visitor_id) == ID_LENGTH and new_id() != visitor_id
    cookie = signed(visitor_id, KEY)
    assert verified(cookie, KEY) == visitor_id
    assert verified(signed(visitor_id, b"another server's secret"), KEY) is None  # signed elsewhere
    other = new_id()
    assert verified(f"{other}.{cookie.split('.')[1]}", KEY) is None  # someone else's id, my signature
    assert verified(f"{visitor_id}.{'0' * 64}", KEY) is None
    for bad in (None, "", visitor_id, f"{visitor_id}.", f"{cookie}.x", f"<b>{visitor_id}.{cookie[-64:]}", 7):
        assert verified(bad, KEY) is None


def test_a_visitor_is_its_id_with_the_address_where_one_is_known():
    assert Visitor("abc").key == "abc"
    assert Visitor("abc", "10.0.0.7").key == "abc@10.0.0.7"


def test_the_address_share_is_a_setting_with_a_class_friendly_default():
    assert Settings.from_mapping({}, env={}).address_share == 0.25
    assert Settings.from_mapping({}, env={"PILAB_ADDRESS_SHARE": "0.5"}).address_share == 0.5
    with pytest.raises(ValueError, match=r"\[pilab\] address_share must be a number from 0.05 to 1"):
        Settings.from_mapping({"address_share": 2}, env={})
    assert "secret" not in repr(Settings.from_mapping({"visitor_secret": "secret"}, env={}))


def test_a_students_sweep_drops_every_pair_the_pi_page_would_refuse_slow_max_n_too():
    student = Policy(settings=Settings.from_mapping({"slow_max_n": 1e3, "job_budget_s": 20}, env={}))
    sweep = student.sweep(["python", "numpy", "numpy_chunked"], [10**3, 10**4, 10**6], 30.0)
    assert sweep.max_n == {"python": 10**3, "numpy": 10**3, "numpy_chunked": 10**6}
    assert sweep.dropped == {"python": [10**4, 10**6], "numpy": [10**4, 10**6]}
    assert sweep.budget_s == 20
    for backend, dropped in sweep.dropped.items():  # exactly what the π page refuses
        assert all(student.run_refusal(backend, n) for n in dropped)
    none_left = student.sweep(["python"], [10**4], 5.0)
    assert none_left.backends == [] and none_left.dropped == {"python": [10**4]}
    operator = Policy(settings=student.settings, operator=True)
    assert operator.sweep(["python"], [10**6], 300.0).max_n == {"python": 10**6}
    assert operator.sweep(["python"], [10**6], 300.0).budget_s == 300.0


def test_a_students_lesson_keeps_its_samples_and_workers_within_the_limits(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert student_max_workers() == 4  # every lesson's defaults run on a two-core server
    student = Policy(settings=Settings.from_mapping({"student_max_n": 1e4}, env={}))
    dask = get("dask_pi")
    assert student.lesson_refusal(dask, {"n": 10**4, "workers": 4}) is None
    why = student.lesson_refusal(dask, {"n": 5 * 10**7})
    assert why == "students may run this lesson with n up to 10,000 on this server, not 50,000,000"
    es = student.lesson_refusal(dask, {"n": 5 * 10**7}, _=translator("es"))
    assert "10.000" in es and "50.000.000" in es
    assert "processes up to 4" in student.lesson_refusal(get("processes"), {"processes": 8})
    assert student.lesson_refusal(get("race"), {}) is None
    assert student.lesson_refusal(get("pool_vs_map"), {"workers": 0}) is None  # 0: one per core
    assert Policy(settings=student.settings, operator=True).lesson_refusal(dask, {"n": 10**10}) is None


def test_the_runner_counts_runs_per_visitor_and_caps_one_addresss_share_of_the_queue():
    settings = Settings.from_mapping({"address_share": 0.25}, env={})
    limits = Policy(settings=settings).job_limits(17)
    assert limits == {"budget_s": 60.0, "per_owner": 1, "per_address": 4}
    assert Policy(settings=settings, operator=True).job_limits(17) == {}
    runner = JobRunner(slots=1, max_waiting=16)
    jobs = [
        runner.submit("long", until_cancelled, owner=f"student {i}", address="10.0.0.9", **limits)
        for i in range(4)
    ]
    with pytest.raises(Busy, match="4 runs from your address are already queued or running"):
        runner.submit("fifth", until_cancelled, owner="student 5", address="10.0.0.9", **limits)
    elsewhere = runner.submit("other", until_cancelled, owner="student 5", address="10.0.0.10", **limits)
    unknown = runner.submit("proxied", until_cancelled, owner="student 6", **limits)  # no address: no cap
    with pytest.raises(Busy, match="you already have 1 run"):
        runner.submit("again", until_cancelled, owner="student 0", address="10.0.0.8", **limits)
    assert [j.label for j in runner.owned_by("student 5")] == ["other"]
    for job in [*jobs, elsewhere, unknown]:
        job.cancel()
    assert all(wait_over(j, timeout=30).state == "cancelled" for j in jobs)


def until_cancelled(job):
    while not cancel.requested():  # the job's stop check, without being handed it
        time.sleep(0.01)
    raise cancel.Cancelled("stopped")


def test_a_lesson_runs_as_a_job_that_its_cancel_stops_child_interpreter_and_all():
    runner = JobRunner(slots=1)
    lesson = get("processes")
    job = runner.submit(
        "lesson processes",
        lambda j: run_lesson(j, lesson=lesson, params={"processes": 2, "seconds": 5}, stage="Processes"),
    )
    time.sleep(1.0)
    assert job.state == "running" and job.stage == "Processes"
    t0 = time.monotonic()
    job.cancel()
    assert wait_over(job, timeout=10).state == "cancelled"
    assert time.monotonic() - t0 < 2  # killed, not waited for (the lesson alone sleeps 3 × 5 s)


def test_a_failing_lesson_job_says_what_it_raised_in_one_line():
    def broken(processes: int = 3, seconds: float = 0.5):
        raise OSError("no more processes")

    lesson = dataclasses.replace(get("processes"), function=broken, isolated=False)
    job = wait_over(JobRunner().submit("x", lambda j: run_lesson(j, lesson=lesson, params={}, stage="x")))
    assert job.state == "failed" and job.error == "OSError: no more processes"


def test_a_long_lesson_is_not_taken_for_a_stalled_job():
    def slow(processes: int = 3, seconds: float = 0.5):
        time.sleep(2.0)  # reports nothing itself, longer than the watchdog's patience below
        return "measured"

    lesson = dataclasses.replace(get("processes"), function=slow, isolated=False)
    runner = JobRunner(stall_s=0.5)
    job = runner.submit("x", lambda j: run_lesson(j, lesson=lesson, params={}, stage="x"))
    assert wait_over(job, timeout=30).state == "done" and job.result == "measured"
