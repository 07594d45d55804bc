"""Who may do what on a shared server: the operator's settings and the limits a student's run must meet
(the passcode's gate is ``core.runtime.passcode``). No Streamlit here: the app reads ``[pilab]`` from
``.streamlit/secrets.toml`` and the environment and hands the values in as a plain mapping.

A visitor is a *student* unless unlocked as the *operator*. A server that listens on loopback only (``make
run``) has one user, the person at that machine, who is the operator; any other server starts locked.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.runtime.checks import Refusal, bounded
from core.runtime.i18n import LANGUAGES, N_, Translate, english, supported

DEFAULT_DATA_DIR = Path.home() / ".cache" / "pi-lab"


def loopback_only(address: str | None) -> bool:
    """Whether a server bound to ``address`` can be reached from this machine only (an empty address is
    Streamlit's default: every interface)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _whole(value: Any, name: str, *, low: float, high: float) -> int:
    """A whole number from secrets.toml or the environment (where it may be the string "1e9")."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    return int(bounded(value, low=low, high=high, what=f"[pilab] {name}"))


def _share(value: Any, name: str) -> float:
    """A share from secrets.toml or the environment: a number from 0.05 to 1 (a string "0.25" too)."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.05 <= value <= 1:
        raise ValueError(f"[pilab] {name} must be a number from 0.05 to 1, not {value!r}")
    return float(value)


def _language(value: Any) -> str | None:
    """The operator's language for visitors whose link names none (``es``, ``en``), or None: theirs."""
    if value is None or not str(value).strip():
        return None
    code = supported(str(value))
    if code is None:
        raise Refusal(NOT_A_LANGUAGE, names=", ".join(LANGUAGES), value=repr(value))
    return code


@dataclass(kw_only=True, frozen=True)
class Settings:
    """The operator's choices for a shared server (``[pilab]`` in secrets.toml, or ``PILAB_*`` variables).

    ``student_max_n`` bounds every run of a student; ``slow_max_n`` the slowest backends' (the pure-Python
    loop and the lecture's O(n) arrays); ``runs_per_visitor`` how many runs one visitor (one browser) may
    have queued or running; ``address_share`` the share of the queue's places the students of one client
    address may hold together; ``job_budget_s`` how long a student's run may take before it is stopped;
    ``visitor_secret`` signs the visitor cookie (empty: a secret drawn when the server starts); ``class_db``
    is class mode's SQLAlchemy URL (None: ``classroom.sqlite3`` under ``data_dir``).
    """

    operator_passcode: str | None = field(default=None, repr=False)
    locked: bool = False  # locked even on loopback (to see the server as a student does)
    student_max_n: int = 10**9
    slow_max_n: int = 10**7
    runs_per_visitor: int = 1
    address_share: float = 0.25
    job_budget_s: float = 60.0
    automl_dir: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    mlflow_schemes: tuple[str, ...] = ("sqlite", "azureml", "https")
    mlflow_hosts: tuple[str, ...] = ("*.api.azureml.ms",)
    operators: tuple[str, ...] = ()  # e-mail addresses that st.login may unlock; empty: any signed-in user
    language: str | None = None  # the pages' language where a link names none; None: the browser's
    visitor_secret: str | None = field(default=None, repr=False)
    class_db: str | None = field(default=None, repr=False)  # class mode: a SQLAlchemy URL; None: SQLite

    @classmethod
    def from_mapping(cls, pilab: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the ``[pilab]`` table, then ``PILAB_*`` environment variables, then defaults.
        A bad value raises ``ValueError`` naming the key and what is accepted."""
        env = os.environ if env is None else env

        def get(key: str, default: Any = None) -> Any:
            value = pilab.get(key)
            return env.get(f"PILAB_{key.upper()}", default) if value is None else value

        def names(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            value = get(key)
            if value is None:
                return default
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(v).strip().lower() for v in items if str(v).strip())

        locked = str(get("locked", "")).strip().lower() in ("1", "true", "yes", "on")
        return cls(
            operator_passcode=str(get("operator_passcode") or "") or None,
            locked=locked,
            student_max_n=_whole(
                get("student_max_n", cls.student_max_n), "student_max_n", low=1e2, high=1e12
            ),
            slow_max_n=_whole(get("slow_max_n", cls.slow_max_n), "slow_max_n", low=1e2, high=1e12),
            runs_per_visitor=_whole(get("runs_per_visitor", 1), "runs_per_visitor", low=1, high=16),
            address_share=_share(get("address_share", cls.address_share), "address_share"),
            job_budget_s=float(_whole(get("job_budget_s", 60), "job_budget_s", low=1, high=86_400)),
            automl_dir=str(get("automl_dir") or "") or None,
            data_dir=Path(get("data_dir") or DEFAULT_DATA_DIR).expanduser(),
            mlflow_schemes=names("mlflow_schemes", cls.mlflow_schemes),
            mlflow_hosts=names("mlflow_hosts", cls.mlflow_hosts),
            operators=names("operators", ()),
            language=_language(get("language")),
            visitor_secret=str(get("visitor_secret") or "") or None,
            class_db=str(get("class_db") or "").strip() or None,
        )

    @classmethod
    def misconfigured(cls, pilab: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
        """The settings a server runs with while a ``[pilab]`` value is bad: every limit at its default, and
        only who the operator is taken from the operator's table (``locked``, ``operator_passcode``,
        ``operators``), so the operator can still get in and read what to fix."""
        env = os.environ if env is None else env

        def get(key: str) -> Any:
            value = pilab.get(key)
            return env.get(f"PILAB_{key.upper()}") if value is None else value

        operators = get("operators")
        items = operators.split(",") if isinstance(operators, str) else operators
        names = [str(v).strip().lower() for v in items if str(v).strip()] if isinstance(items, list) else []
        return cls(
            operator_passcode=str(get("operator_passcode") or "") or None,
            locked=str(get("locked") or "").strip().lower() in ("1", "true", "yes", "on"),
            operators=tuple(names),
        )

    def run_refusal(self, backend: str, n: int, *, slow: bool, _: Translate = english) -> str | None:
        """Why a student may not run ``backend`` on ``n`` samples here (in ``_``'s language), or None."""
        limit = min(self.student_max_n, self.slow_max_n) if slow else self.student_max_n
        if n > limit:
            return _(STUDENT_LIMIT, name=backend, limit=f"{limit:.0e}", n=f"{n:.0e}")
        return None

    def student_sweep(self, ns: list[int], budget_s: float) -> tuple[list[int], float]:
        """A student's sweep over the sizes ``ns`` within ``budget_s``: the sizes up to ``student_max_n`` (at
        least the smallest) and at most ``job_budget_s``."""
        return [n for n in ns if n <= self.student_max_n] or ns[:1], min(budget_s, self.job_budget_s)


NOT_A_LANGUAGE = N_("[pilab] language must be one of {names}, not {value}")
STUDENT_LIMIT = N_("students may run {name} on up to {limit} samples on this server, not {n}")
