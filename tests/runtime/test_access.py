"""Roles on a shared server: the operator's settings, the passcode gate, students' limits, the Jobs panel."""

import logging
import time

import pytest

from core.pi import Cancelled
from core.runtime.access import Settings, loopback_only
from core.runtime.jobs import Busy, JobRunner
from core.runtime.passcode import PasscodeGate
from tests.runtime.test_i18n import shown
from tests.runtime.test_passcode import english_left
from tests.support.apptest import ROOT, STUDENT, app, press, run_pi, texts, until
from tests.support.waiting import wait_over

PASSCODE = "correct horse battery staple"
CLASSROOM = {"pilab": {"locked": True, "operator_passcode": PASSCODE}}


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.8.9.10", True),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
        ("192.168.1.20", False),
        ("::", False),
        ("myhost", False),
    ],
)
def test_only_a_loopback_address_is_local(address, local):
    assert loopback_only(address) is local


def test_settings_come_from_secrets_then_the_environment_then_defaults():
    env = {"PILAB_STUDENT_MAX_N": "1e8", "PILAB_MLFLOW_HOSTS": "mlflow.school.example, *.azureml.ms"}
    s = Settings.from_mapping({"slow_max_n": 2e6, "student_max_n": 5e8}, env=env)
    limits = (s.student_max_n, s.slow_max_n, s.runs_per_visitor, s.job_budget_s)
    assert limits == (5 * 10**8, 2 * 10**6, 1, 60)
    assert s.mlflow_hosts == ("mlflow.school.example", "*.azureml.ms")
    assert Settings.from_mapping({}, env={}).mlflow_schemes == ("sqlite", "azureml", "https")
    assert "correct" not in repr(Settings.from_mapping({"operator_passcode": PASSCODE}, env={}))
    with pytest.raises(ValueError, match=r"\[pilab\] runs_per_visitor must be a whole number from 1 to 16"):
        Settings.from_mapping({"runs_per_visitor": "lots"}, env={})


def test_students_are_refused_past_their_limits_slow_backends_sooner():
    s = Settings.from_mapping({"student_max_n": 1e9, "slow_max_n": 1e7}, env={})
    assert s.run_refusal("numba_parallel", 10**9, slow=False) is None
    assert "up to 1e+09" in s.run_refusal("numba_parallel", 10**10, slow=False)
    assert s.run_refusal("python", 10**7, slow=True) is None
    assert "python on up to 1e+07" in s.run_refusal("python", 10**8, slow=True)


def test_the_passcode_gate_waits_longer_after_each_wrong_try_and_never_echoes():
    now = [0.0]
    gate = PasscodeGate(clock=lambda: now[0])
    assert gate.attempt("guess", PASSCODE, "me") == (False, "wrong passcode; the next try is possible in 1 s")
    ok, why = gate.attempt(PASSCODE, PASSCODE, "me")  # the right one, too soon: not even looked at
    assert not ok and "wait 1 s" in why
    now[0] = 1.5
    assert gate.attempt("guess again", PASSCODE, "me")[1].endswith("possible in 2 s")
    assert gate.wait_left("me") == pytest.approx(2.0)
    assert gate.wait_left("someone else") == 0
    now[0] = 10
    assert gate.attempt(PASSCODE, PASSCODE, "me") == (True, "")
    assert gate.attempt("x", None, "me")[1].startswith("no operator passcode is set")
    for _ in range(12):
        now[0] += 100
        _, why = gate.attempt("x", PASSCODE, "me")
        assert PASSCODE not in why and "x" not in why.replace("next", "")
    assert why.endswith("possible in 60 s")  # the wait stops growing at a minute


@pytest.mark.slow
def test_a_loopback_server_is_the_operators_and_a_locked_one_is_a_students():
    operator = app("pages/pi_estimate.py")
    assert operator.text_input(key="pi_scheduler")  # the Dask address: the operator's to choose
    student = app("pages/pi_estimate.py", secrets=STUDENT)
    assert not [t for t in student.text_input if t.key == "pi_scheduler"]  # not drawn at all
    assert "Scheduler address" not in texts(student)
    home = app(secrets=STUDENT)
    assert "Student view" in texts(home) and "Jobs (" not in texts(home)


@pytest.mark.slow
def test_a_student_unlocks_with_the_passcode_only_and_it_is_never_shown_or_logged(caplog):
    caplog.set_level(logging.DEBUG)
    at = app(secrets=CLASSROOM)
    at.text_input(key="pilab_passcode").input("wrong")
    press(at, "Unlock")
    assert [e.value for e in at.error] == ["wrong passcode; the next try is possible in 1 s"]
    assert "Jobs (" not in texts(at)
    time.sleep(1.1)  # the wait after one wrong try; a try within it is not even looked at (tested above)
    at.text_input(key="pilab_passcode").input(PASSCODE)
    press(at, "Unlock")
    assert not at.exception
    assert "🔓 Operator" in texts(at) and "Jobs (0)" in texts(at)
    assert PASSCODE not in texts(at)  # the form cleared it
    assert PASSCODE not in caplog.text


@pytest.mark.slow
def test_a_student_run_past_the_limit_is_refused_before_it_starts():
    at = app("pages/pi_estimate.py", secrets={"pilab": {"locked": True, "student_max_n": 1e6}})
    run_pi(at, 10**7, ["numba_parallel"])
    warnings = [w.value for w in at.warning]
    assert any("numba_parallel** refused before running: students may run" in w for w in warnings), warnings
    assert "pi_job" not in at.session_state


@pytest.mark.slow
def test_one_run_per_visitor_and_the_operator_sees_and_cancels_it():
    student = app("pages/pi_estimate.py", secrets={"pilab": {"locked": True, "slow_max_n": 1e9}})
    run_pi(student, 10**9, ["python"], seed=3)
    job = student.session_state.pi_job
    assert job.owner.startswith("student ") and job.budget_s == 60
    operator = app()
    assert f"**{job.owner}** · π" in texts(operator)
    cancels = [b for b in operator.button if b.key == f"pilab_cancel_{job.id}"]
    cancels[0].click().run()
    until(student, lambda a: "pi_job" not in a.session_state, timeout=60)
    assert any(w.value.startswith("Cancelled.") for w in student.warning)


def test_the_runner_refuses_a_second_run_of_one_visitor_and_stops_a_run_past_its_budget():
    runner = JobRunner(slots=1)
    gate = []
    first = runner.submit("long", lambda j: until_stopped(j, gate), owner="student a", per_owner=1)
    with pytest.raises(Busy, match="you already have 1 run"):
        runner.submit("again", lambda j: 1, owner="student a", per_owner=1)
    other = runner.submit("other", lambda j: 2, owner="student b", per_owner=1)  # another visitor may
    first.cancel()
    assert wait_over(other, timeout=30).result == 2
    budgeted = runner.submit("slow", lambda j: until_stopped(j, gate, progress=True), budget_s=0.3)
    assert wait_over(budgeted, timeout=30).state == "failed"
    assert budgeted.error == "slow ran past its time budget of 0.3 s and was stopped"


def until_stopped(job, gate, *, progress=False):
    while not job.should_stop():
        if progress:
            job.progress(1, 2)
        time.sleep(0.01)
    raise Cancelled("stopped")


def test_a_students_sweep_keeps_the_sizes_and_the_budget_within_the_limits():
    limits = Settings.from_mapping({"student_max_n": 1e4, "job_budget_s": 5}, env={})
    assert limits.student_sweep([10**3, 10**4, 10**5], 30.0) == ([10**3, 10**4], 5)
    assert limits.student_sweep([10**6, 10**7], 2.0) == ([10**6], 2.0)  # at least the smallest size


def test_a_bad_setting_keeps_who_the_operator_is_and_every_limit_at_its_default():
    table = {"locked": True, "operator_passcode": PASSCODE, "operators": "me@school.example"}
    table["slow_max_n"] = "x"
    with pytest.raises(ValueError, match=r"\[pilab\] slow_max_n"):
        Settings.from_mapping(table, env={})
    fallback = Settings.misconfigured(table, env={})
    assert fallback.locked and fallback.operator_passcode == PASSCODE
    assert fallback.operators == ("me@school.example",)
    assert (fallback.student_max_n, fallback.slow_max_n) == (Settings().student_max_n, Settings().slow_max_n)
    assert not Settings.misconfigured({"slow_max_n": "x"}, env={}).locked  # a loopback server stays its own


@pytest.mark.slow
def test_a_bad_setting_is_named_to_the_operator_and_in_the_log(caplog):
    caplog.set_level(logging.ERROR)
    at = app(secrets={"pilab": {"runs_per_visitor": "lots-for-the-operator"}})  # loopback: the operator's
    (error,) = [e.value for e in at.sidebar.error]
    assert error.startswith("[pilab] runs_per_visitor must be a whole number from 1 to 16")
    assert "🔓 Operator" in texts(at) and "Jobs (0)" in texts(at)  # not locked out
    assert "[pilab] runs_per_visitor" in caplog.text and "lots-for-the-operator" in caplog.text


@pytest.mark.slow
def test_a_bad_setting_shows_students_only_that_the_server_is_misconfigured():
    bad = {"locked": True, "operator_passcode": PASSCODE, "data_dir": "/srv/secret", "slow_max_n": "1e99"}
    student = app(secrets={"pilab": bad}, query={"lang": "es"})
    (error,) = [e.value for e in student.sidebar.error]
    assert error == "Este servidor está mal configurado; su operador ya está avisado."
    assert not english_left(shown(student)), english_left(shown(student))
    assert "slow_max_n" not in texts(student) and "1e99" not in texts(student)
    assert "e+99" not in texts(student) and "/srv/secret" not in texts(student)
    student = app(secrets={"pilab": bad})
    (error,) = [e.value for e in student.sidebar.error]
    assert error == "This server is misconfigured; its operator has been told."
    student.text_input(key="pilab_passcode").input(PASSCODE)
    press(student, "Unlock")  # the operator still gets in with the passcode, and reads what to fix
    assert "🔓 Operator" in texts(student)
    assert any("[pilab] slow_max_n" in e.value for e in student.sidebar.error)


def test_the_readme_says_what_a_forwarder_without_proxy_headers_does_and_what_to_set_instead():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running it for a class")[1].split("\n## ")[0]
    assert "X-Forwarded-For" in section and "ssh -L" in section and "socat" in section
    assert "every visitor the operator" in " ".join(section.split())
    assert "`locked = true`" in section and "`make serve`" in section
    assert "misconfigured" in section
