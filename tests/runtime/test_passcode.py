"""The operator passcode's gate: one for the whole server, so fresh sessions, tabs or threads never guess
faster; its waits grow per session, per address and over every wrong try together."""

import re
import threading
import time

import pytest

from core.runtime.i18n import translator
from core.runtime.passcode import MAX_WAIT_S, PasscodeGate, server_gate
from tests.runtime.test_i18n import catalog, catalog_path, shown
from tests.support.apptest import app, press

PASSCODE = "correct horse battery staple"
CLASSROOM = {"pilab": {"locked": True, "operator_passcode": PASSCODE}}


def english_left(text: str) -> list[str]:
    """The longest piece of every English sentence the Spanish catalog translates that ``text`` still has
    (the check of ``test_home_in_spanish_leaves_no_english_sentence``)."""
    english = {m for m, es in catalog(catalog_path("es")).items() if es != m and " " in m}
    return sorted(f for f in {max(re.split(r"\{\w*\}", m), key=len) for m in english} if f in text)


def seconds_in(message: str) -> float:
    """The wait a refusal names (``… 4 s …``)."""
    return float(re.search(r"(\d+(?:[.,]\d+)?) s\b", message).group(1).replace(",", "."))


def test_wrong_tries_from_fresh_sessions_without_an_address_wait_longer_and_longer():
    now = [0.0]
    gate = PasscodeGate(clock=lambda: now[0])
    waits = []
    for i in range(20):  # a script that opens a new session for every try, behind a proxy on 127.0.0.1
        now[0] += gate.wait_left(f"session:fresh{i}")  # it waits only as long as it must
        ok, why = gate.attempt(f"guess {i}", PASSCODE, f"session:fresh{i}")
        assert not ok and why.startswith("wrong passcode"), why
        waits.append(seconds_in(why))
    assert waits == sorted(waits) and waits[-1] == MAX_WAIT_S and waits[0] < waits[6], waits
    refused = gate.attempt(PASSCODE, PASSCODE, "session:yet-another")  # a fresh session within the wait
    assert refused == (False, "too many wrong tries on this server: wait 60 s before the next one")
    now[0] += MAX_WAIT_S
    assert gate.attempt(PASSCODE, PASSCODE, "session:yet-another") == (True, "")  # the right one, after it
    # An hour of quiet and the server forgets: one wrong try waits as long as a first one did.
    now[0] += 3600
    assert gate.attempt("typo", PASSCODE, "session:operator")[1].endswith("possible in 1 s")


def test_a_known_address_waits_across_its_sessions_and_others_barely_notice():
    now = [0.0]
    gate = PasscodeGate(clock=lambda: now[0])
    assert gate.attempt("a", PASSCODE, "session:1", "address:10.0.0.7")[1].endswith("in 1 s")
    now[0] += 1
    assert gate.attempt("b", PASSCODE, "session:2", "address:10.0.0.7")[1].endswith("in 2 s")
    assert gate.attempt("c", PASSCODE, "session:3", "address:10.0.0.7")[1].startswith("too many wrong tries:")
    assert gate.wait_left("session:4", "address:10.0.0.8") == 0  # two wrong tries hold no one else up


@pytest.mark.parametrize("fresh", [True, False], ids=["fresh sessions", "one session"])
def test_tries_at_once_never_pass_one_wait_together(fresh):
    now = [0.0]

    def slow_clock() -> float:  # every look at the clock lets another thread in
        time.sleep(0.001)
        return now[0]

    gate = PasscodeGate(clock=slow_clock)
    for i in range(4 if fresh else 0):  # past the wrong tries a server lets through before every try waits
        now[0] += gate.wait_left(f"earlier{i}")
        gate.attempt("guess", PASSCODE, f"earlier{i}")
    now[0] += gate.wait_left()  # the moment the wait ends, every thread tries
    tries, start = 16, threading.Barrier(16)
    answers: list[str] = []

    def guess(i: int) -> None:
        start.wait()
        answers.append(gate.attempt(f"guess {i}", PASSCODE, f"thread{i}" if fresh else "one tab")[1])

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(tries)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(answers) == tries
    looked_at = [a for a in answers if a.startswith("wrong passcode")]
    assert len(looked_at) == 1, answers  # one try compared; every other one waits after it
    assert all(a.startswith("too many wrong tries") for a in answers if a not in looked_at)


def test_the_server_wait_is_said_in_the_visitors_language():
    now = [0.0]
    gate = PasscodeGate(clock=lambda: now[0], base_s=0.5)
    es = translator("es")
    for i in range(4):
        now[0] += gate.wait_left()
        why = gate.attempt("x", PASSCODE, f"s{i}", _=es)[1]
    assert why == "código incorrecto; podrás volver a intentarlo en 0,5 s"
    assert gate.attempt("x", PASSCODE, "s9", _=es)[1] == (
        "demasiados intentos fallidos en este servidor: espera 1 s antes del siguiente"
    )


@pytest.mark.slow
def test_fresh_sessions_of_the_page_share_the_servers_wait():
    """Seven students' tabs (AppTest sessions, no address), one wrong try each: an eighth tab waits, in
    Spanish; the wait is the server's, not the session's; then the right passcode unlocks."""
    for i in range(7):
        at = app(secrets=CLASSROOM)
        time.sleep(server_gate().wait_left())
        at.text_input(key="pilab_passcode").input(f"guess {i}")
        press(at, "Unlock")
        assert at.error[0].value.startswith("wrong passcode"), at.error
    assert server_gate().wait_left() > 0
    at = app(secrets=CLASSROOM, query={"lang": "es"})
    at.text_input(key="pilab_passcode").input(PASSCODE)
    press(at, "Desbloquear")
    (error,) = [e.value for e in at.error]
    assert error.startswith("demasiados intentos fallidos en este servidor: espera ")
    assert not english_left(shown(at)), english_left(shown(at))
    assert "Jobs (" not in str(at.sidebar) and PASSCODE not in error
    time.sleep(server_gate().wait_left())
    at.text_input(key="pilab_passcode").input(PASSCODE)
    press(at, "Desbloquear")
    assert not at.error and "🔓" in "".join(c.value for c in at.sidebar.caption)
