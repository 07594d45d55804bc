"""Bad input said in the reader's language: ``bounded``'s refusal and every ``Refusal`` keep ``str()`` in
English as it always read, say the same with ``text(_)`` in Spanish (numbers the Spanish way), survive a
trip to another process, and reach the page that shows them in Spanish."""

import math
import pickle

import pytest

from core.runtime.checks import OutOfBounds, Refusal, bounded, said
from core.runtime.i18n import N_, translator
from tests.runtime.test_i18n import shown
from tests.support.apptest import app

ES = translator("es")


def refusal(value, **limits) -> OutOfBounds:
    with pytest.raises(OutOfBounds) as caught:
        bounded(value, **limits)
    return caught.value


@pytest.mark.parametrize(
    ("value", "limits", "english", "spanish"),
    [
        (
            -1,
            dict(low=0, high=2**32 - 1, what="seed"),
            "seed must be a whole number from 0 to 4,294,967,295, not -1",
            "semilla debe ser un número entero de 0 a 4.294.967.295, no -1",
        ),
        (
            0.01,
            dict(low=0.05, high=2.5, what="seconds", whole=False),
            "seconds must be a number from 0.05 to 2.5, not 0.01",
            "segundos debe ser un número de 0,05 a 2,5, no 0,01",
        ),
        (
            2.5,
            dict(low=1, high=10, what="trials"),
            "trials must be a whole number from 1 to 10, not 2.5",
            "intentos debe ser un número entero de 1 a 10, no 2,5",
        ),
        (
            math.nan,
            dict(low=1, high=10**12, what="n"),
            "n must be a whole number from 1 to 1,000,000,000,000, not nan",
            "n debe ser un número entero de 1 a 1.000.000.000.000, no nan",
        ),
        (
            "7",
            dict(low=1, high=16, what="[pilab] runs_per_visitor"),
            "[pilab] runs_per_visitor must be a whole number from 1 to 16, not '7'",
            "[pilab] runs_per_visitor debe ser un número entero de 1 a 16, no '7'",
        ),
    ],
)
def test_a_bounded_refusal_is_english_as_before_and_spanish_with_spanish_numbers(
    value, limits, english, spanish
):
    exc = refusal(value, **limits)
    assert isinstance(exc, ValueError) and str(exc) == english and exc.text() == english
    assert exc.text(ES) == spanish and said(exc, ES) == spanish


def test_the_refusals_cross_processes_as_they_were_made():
    exc = refusal(0.5, low=1, high=3, what="workers (on this machine)", whole=False)
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is OutOfBounds and str(back) == str(exc) and back.text(ES) == exc.text(ES)
    assert back.text(ES) == "workers (en esta máquina) debe ser un número de 1 a 3, no 0,5"
    plain = Refusal(N_("unknown lesson {name}; choose one of: {names}"), name="'x'", names="race")
    again = pickle.loads(pickle.dumps(plain))
    assert str(again) == "unknown lesson 'x'; choose one of: race"
    assert again.text(ES) == "lección desconocida 'x'; elige una de: race"


def test_a_float_field_is_written_as_g_in_the_readers_decimal_mark():
    exc = Refusal(N_("--every {every} is not in [{low}, {high}] seconds"), every=0.1, low=0.2, high=3600.0)
    assert str(exc) == "--every 0.1 is not in [0.2, 3600] seconds"
    assert exc.text(ES) == "--every 0,1 no está entre 0,2 y 3600 segundos"


def test_an_error_that_cannot_say_itself_in_a_language_is_said_as_str():
    assert said(ValueError("as it is"), ES) == "as it is"
    assert said(SyntaxError("bad", ("f.py", 1, 1, "text")), ES) == str(
        SyntaxError("bad", ("f.py", 1, 1, "text"))
    )


def test_the_operators_bad_setting_is_said_in_spanish_in_the_sidebar():
    at = app(secrets={"pilab": {"runs_per_visitor": 0}}, query={"lang": "es"})
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.sidebar.error]
    assert error.startswith("[pilab] runs_per_visitor debe ser un número entero de 1 a 16, no 0.")
    assert "must be" not in shown(at)
    english = app(secrets={"pilab": {"runs_per_visitor": 0}})
    assert any(
        e.value.startswith("[pilab] runs_per_visitor must be a whole number from 1 to 16, not 0.")
        for e in english.sidebar.error
    )


def test_a_job_refused_midway_says_why_in_the_panels_language():
    from core.runtime.jobs import JobRunner
    from tests.support.waiting import wait_until

    job = JobRunner().submit("bad", lambda job: bounded(0, low=1, high=10**4, what="n"))
    wait_until(lambda: job.over, timeout=30, what="the job's end", every=0.05)
    assert job.state == "failed" and job.error == "n must be a whole number from 1 to 10,000, not 0"
    assert job.error_text() == job.error
    assert job.error_text(ES) == "n debe ser un número entero de 1 a 10.000, no 0"
