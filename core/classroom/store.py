"""``ClassStore``: the rounds and results of class mode in SQLite (WAL) under the data directory, or in any
SQLAlchemy database. Reads go straight to the database; every write goes through ONE writer thread fed by a
bounded queue, and a write returns only once committed (its acknowledgment)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import io
import json
import queue
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from core.classroom import schema
from core.classroom.nicknames import NICKNAME_MAX, clean_nickname
from core.classroom.records import Result, Round, RoundClosed, StoreUnavailable
from core.pi.stream import SEED_MAX
from core.runtime.checks import Refusal, bounded
from core.runtime.i18n import N_

T = TypeVar("T")
QUEUE_MAX = 256  # writes waiting at once; past it a write is refused at once (StoreUnavailable)
BUSY_TIMEOUT_MS = 3000  # how long SQLite waits for another program's lock before saying "locked"
NAME_MAX = 80
FILE_NAME = "classroom.sqlite3"

FULL = N_("the class board's database is full (no space left on its disk); your result stays on this page")
LOCKED = N_("the class board's database is locked by another program; your result stays on this page")
UNREACHABLE = N_("the class board's database cannot be reached ({reason}); your result stays on this page")
BUSY = N_("the class board has too many results waiting; your result stays on this page")
SLOW = N_("the class board did not confirm your result within {seconds} s; it stays on this page")
STOPPED = N_("the class board is shutting down; your result stays on this page")
NO_ROUND = N_("there is no round {id}")
NOT_ACCEPTING = N_("round {name} is closed and takes no new result")
BACKEND_NOT_ALLOWED = N_("round {name} takes runs on {names} only, not {backend}")
N_NOT_ALLOWED = N_("round {name} takes runs of n = {n} only, not {given}")
EMPTY_NAME = N_("a round needs a name")
NO_BACKENDS = N_("a round needs at least one backend")

CSV_COLUMNS = ("id", "round_id", "nickname", "backend", "n", "seed", "inside", "estimate", "elapsed_s",
               "compile_s", "samples_per_s", "finished_at")  # fmt: skip


def default_url(data_dir: Path) -> str:
    """The SQLite file under the data directory, as an SQLAlchemy URL."""
    return f"sqlite:///{Path(data_dir).expanduser() / FILE_NAME}"


class ClassStore:
    """The class store; thread-safe. Use ``ClassStore.open``; ``close`` drains the queue and stops the
    writer."""

    def __init__(self, engine: sa.Engine, *, queue_max: int = QUEUE_MAX) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self._queue: queue.Queue[tuple[Callable[[sa.Connection], Any], concurrent.futures.Future] | None]
        self._queue = queue.Queue(maxsize=queue_max)
        self._closing = threading.Event()
        self._writer = threading.Thread(target=self._write_loop, name="class-store-writer", daemon=True)
        self._writer.start()

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        data_dir: Path,
        queue_max: int = QUEUE_MAX,
        sqlite_pragmas: Mapping[str, object] | None = None,
    ) -> ClassStore:
        """The store at ``url`` (None: ``classroom.sqlite3`` under ``data_dir``, in WAL mode), its schema
        created or migrated. ``sqlite_pragmas`` are set on every SQLite connection (a test's
        ``max_page_count``). An unreachable database raises ``StoreUnavailable``."""
        if url is None:
            Path(data_dir).expanduser().mkdir(parents=True, exist_ok=True)
            url = default_url(data_dir)
        try:
            engine = sa.create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
        except (sa.exc.ArgumentError, ImportError, ValueError) as exc:
            raise StoreUnavailable(UNREACHABLE, reason=type(exc).__name__) from None
        if engine.dialect.name == "sqlite":
            _sqlite_pragmas(engine, dict(sqlite_pragmas or {}))
        try:
            schema.migrate(engine)
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise unavailable(exc) from None
        return cls(engine, queue_max=queue_max)

    # -- writes (through the writer thread) ---------------------------------------------------------------

    def open_round(
        self,
        name: str,
        *,
        n: int,
        backends: Sequence[str],
        closes_at: float | None = None,
        fixed_seed: int | None = None,
    ) -> Round:
        """Open a new round (it takes results at once)."""
        name = _round_name(name)
        n = int(bounded(n, low=1, high=10**13, what=N_("n")))
        chosen = tuple(dict.fromkeys(str(b).strip() for b in backends if str(b).strip()))
        if not chosen:
            raise Refusal(NO_BACKENDS)
        if fixed_seed is not None:
            fixed_seed = int(bounded(fixed_seed, low=0, high=SEED_MAX, what=N_("seed")))
        values = dict(name=name, n=n, backends=",".join(chosen), is_open=True, closes_at=closes_at,
                      fixed_seed=fixed_seed, created_at=time.time())  # fmt: skip

        def write(conn: sa.Connection) -> int:
            return int(conn.execute(schema.rounds.insert().values(**values)).inserted_primary_key[0])

        round_id = self._write(write)
        return self._require(round_id)

    def close_round(self, round_id: int) -> None:
        """Close a round: it takes no new result."""
        self._update_round(round_id, is_open=False)

    def reopen_round(self, round_id: int) -> None:
        """Open a closed round again (and drop its closing time, if it has passed)."""
        found = self._require(round_id)
        past = found.closes_at is not None and found.closes_at <= time.time()
        self._update_round(round_id, is_open=True, **({"closes_at": None} if past else {}))

    def rename_round(self, round_id: int, name: str) -> None:
        """Give a round a new name."""
        self._update_round(round_id, name=_round_name(name))

    def delete_round(self, round_id: int) -> None:
        """Delete a round with its results and seeds."""
        self._require(round_id)

        def write(conn: sa.Connection) -> None:
            conn.execute(schema.results.delete().where(schema.results.c.round_id == round_id))
            conn.execute(schema.seeds.delete().where(schema.seeds.c.round_id == round_id))
            conn.execute(schema.rounds.delete().where(schema.rounds.c.id == round_id))

        self._write(write)

    def seed_for(self, round: Round, visitor: str) -> int:
        """The round's fixed seed, else the seed the server drew for this visitor in this round (drawn once,
        then the same every time they ask)."""
        if round.fixed_seed is not None:
            return round.fixed_seed
        visitor = str(visitor)
        table = schema.seeds

        def write(conn: sa.Connection) -> int:
            where = (table.c.round_id == round.id) & (table.c.visitor == visitor)
            found = conn.execute(sa.select(table.c.seed).where(where)).scalar()
            if found is not None:
                return int(found)
            seed = secrets.randbelow(SEED_MAX + 1)
            conn.execute(table.insert().values(round_id=round.id, visitor=visitor, seed=seed))
            return seed

        return self._write(write)

    def record(
        self,
        *,
        round: Round,
        visitor: str,
        nickname: str,
        backend: str,
        n: int,
        seed: int,
        inside: int,
        elapsed_s: float,
        compile_s: float,
        timeout: float = 10.0,
    ) -> Result:
        """Record one run the server computed; returns once committed. Raises ``RoundClosed`` (closed, past
        its closing time, deleted, backend or n not allowed) or ``StoreUnavailable``."""
        values = dict(round_id=round.id, visitor=str(visitor), nickname=clean_nickname(nickname) or "?",
                      backend=str(backend), n=int(n), seed=int(seed), inside=int(inside),
                      elapsed_s=float(elapsed_s), compile_s=float(compile_s))  # fmt: skip

        def write(conn: sa.Connection) -> Result:
            row = conn.execute(sa.select(schema.rounds).where(schema.rounds.c.id == round.id)).first()
            if row is None:
                raise RoundClosed(NO_ROUND, id=round.id)
            current = _round(row)
            check_accepts(current, backend=values["backend"], n=values["n"])
            finished = time.time()
            new_id = conn.execute(schema.results.insert().values(**values, finished_at=finished))
            return Result(id=int(new_id.inserted_primary_key[0]), finished_at=finished, **values)

        return self._write(write, timeout=timeout)

    def set_nickname(self, visitor: str, name: str) -> str:
        """Keep ``name`` (cleaned: ``clean_nickname``, ≤ NICKNAME_MAX characters) as the visitor's
        nickname; what was kept (an empty name forgets it)."""
        kept = clean_nickname(name)[:NICKNAME_MAX]
        table, visitor = schema.nicknames, str(visitor)

        def write(conn: sa.Connection) -> None:
            conn.execute(table.delete().where(table.c.visitor == visitor))
            if kept:
                conn.execute(table.insert().values(visitor=visitor, name=kept))

        self._write(write)
        return kept

    # -- reads --------------------------------------------------------------------------------------------

    def rounds(self) -> list[Round]:
        """Every round, newest first."""
        query = sa.select(schema.rounds).order_by(schema.rounds.c.id.desc())
        return [_round(row) for row in self._read(lambda c: c.execute(query).all())]

    def round(self, round_id: int) -> Round | None:
        """The round ``round_id``, or None."""
        query = sa.select(schema.rounds).where(schema.rounds.c.id == int(round_id))
        row = self._read(lambda c: c.execute(query).first())
        return None if row is None else _round(row)

    def current_round(self) -> Round | None:
        """The newest round that takes results now, or None."""
        query = sa.select(schema.rounds).where(schema.rounds.c.is_open).order_by(schema.rounds.c.id.desc())
        now = time.time()
        rows = self._read(lambda c: c.execute(query).all())
        return next((r for r in map(_round, rows) if r.accepting(now)), None)

    def results(self, round_id: int, *, limit: int = 500) -> list[Result]:
        """The round's newest ``limit`` results, oldest first."""
        t = schema.results
        query = sa.select(t).where(t.c.round_id == int(round_id)).order_by(t.c.id.desc()).limit(int(limit))
        rows = self._read(lambda c: c.execute(query).all())
        return [_result(row) for row in reversed(rows)]

    def count(self, round_id: int) -> int:
        """How many results the round has."""
        t = schema.results
        query = sa.select(sa.func.count()).select_from(t).where(t.c.round_id == int(round_id))
        return int(self._read(lambda c: c.execute(query).scalar()) or 0)

    def totals(self, round_id: int) -> tuple[int, int, int]:
        """All the round's results together: (runs, inside, n)."""
        t = schema.results
        query = sa.select(sa.func.count(), sa.func.sum(t.c.inside), sa.func.sum(t.c.n)).where(
            t.c.round_id == int(round_id)
        )
        runs, inside, n = self._read(lambda c: c.execute(query).one())
        return int(runs or 0), int(inside or 0), int(n or 0)

    def nickname(self, visitor: str) -> str | None:
        """The nickname the visitor chose, or None."""
        t = schema.nicknames
        return self._read(
            lambda c: c.execute(sa.select(t.c.name).where(t.c.visitor == str(visitor))).scalar()
        )

    def export_csv(self, round_id: int) -> str:
        """The round's results as CSV (no visitor ids), oldest first."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in self._export_rows(round_id):
            writer.writerow([_csv_cell(row[c]) for c in CSV_COLUMNS])
        return out.getvalue()

    def export_json(self, round_id: int) -> str:
        """The round and its results as one JSON document (no visitor ids)."""
        found = self._require(round_id)
        rnd = {"id": found.id, "name": found.name, "n": found.n, "backends": list(found.backends),
               "open": found.open, "closes_at": found.closes_at, "fixed_seed": found.fixed_seed,
               "created_at": found.created_at}  # fmt: skip
        return json.dumps({"round": rnd, "results": self._export_rows(round_id)}, indent=2)

    def close(self, timeout: float = 10.0) -> None:
        """Drain the queue (within ``timeout`` seconds), stop the writer thread, release the database."""
        if not self._closing.is_set():
            self._closing.set()
            with contextlib.suppress(queue.Full):
                self._queue.put(None, timeout=timeout)
        self._writer.join(timeout)
        self.engine.dispose()

    def __enter__(self) -> ClassStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inside -------------------------------------------------------------------------------------------

    def _export_rows(self, round_id: int) -> list[dict[str, Any]]:
        self._require(round_id)
        rows = []
        for r in self.results(round_id, limit=10**9):
            rows.append({c: getattr(r, c) for c in CSV_COLUMNS})
        return rows

    def _require(self, round_id: int) -> Round:
        found = self.round(round_id)
        if found is None:
            raise Refusal(NO_ROUND, id=round_id)
        return found

    def _update_round(self, round_id: int, **values: Any) -> None:
        self._require(round_id)
        where = schema.rounds.c.id == int(round_id)
        self._write(lambda conn: conn.execute(schema.rounds.update().where(where).values(**values)))

    def _read(self, query: Callable[[sa.Connection], T]) -> T:
        try:
            with self.engine.connect() as conn:
                return query(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise unavailable(exc) from None

    def _write(self, work: Callable[[sa.Connection], T], *, timeout: float = 10.0) -> T:
        """Run ``work`` in one transaction on the writer thread; its value once committed."""
        if self._closing.is_set():
            raise StoreUnavailable(STOPPED)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            self._queue.put_nowait((work, future))
        except queue.Full:
            raise StoreUnavailable(BUSY) from None
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise StoreUnavailable(SLOW, seconds=timeout) from None

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            work, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                with self.engine.begin() as conn:
                    value = work(conn)
            except Refusal as exc:
                future.set_exception(exc)
            except sa.exc.SQLAlchemyError as exc:
                future.set_exception(unavailable(exc))
            except Exception as exc:  # the writer outlives any one write's failure
                future.set_exception(exc)
            else:
                future.set_result(value)


def unavailable(exc: BaseException) -> StoreUnavailable:
    """The one line a database error is said in: full, locked, or unreachable."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "full" in text or "no space" in text:
        return StoreUnavailable(FULL)
    if "locked" in text or "busy" in text:
        return StoreUnavailable(LOCKED)
    return StoreUnavailable(UNREACHABLE, reason=type(getattr(exc, "orig", exc)).__name__)


def _sqlite_pragmas(engine: sa.Engine, extra: dict[str, object]) -> None:
    """WAL, full fsync on commit, a busy timeout and foreign keys on every connection; then ``extra``."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        for key, value in extra.items():
            if key.isidentifier() and isinstance(value, int | str):
                cursor.execute(f"PRAGMA {key}={int(value) if isinstance(value, int) else value}")
        cursor.close()


def _round_name(name: object) -> str:
    text = " ".join("".join(c for c in str(name)[:1000] if c.isprintable()).split())[:NAME_MAX]
    if not text:
        raise Refusal(EMPTY_NAME)
    return text


def check_accepts(found: Round, *, backend: str, n: int) -> None:
    """Raise ``RoundClosed`` unless ``found`` takes a run of ``backend`` on ``n`` samples now."""
    if not found.accepting():
        raise RoundClosed(NOT_ACCEPTING, name=found.name)
    if backend not in found.backends:
        raise RoundClosed(
            BACKEND_NOT_ALLOWED, name=found.name, names=", ".join(found.backends), backend=backend
        )
    if n != found.n:
        raise RoundClosed(N_NOT_ALLOWED, name=found.name, n=found.n, given=n)


def _round(row: Any) -> Round:
    m = row._mapping
    return Round(
        id=int(m["id"]),
        name=m["name"],
        n=int(m["n"]),
        backends=tuple(b for b in m["backends"].split(",") if b),
        open=bool(m["is_open"]),
        closes_at=m["closes_at"],
        fixed_seed=None if m["fixed_seed"] is None else int(m["fixed_seed"]),
        created_at=float(m["created_at"]),
    )


def _result(row: Any) -> Result:
    m = row._mapping
    return Result(id=int(m["id"]), round_id=int(m["round_id"]), visitor=m["visitor"], nickname=m["nickname"],
                  backend=m["backend"], n=int(m["n"]), seed=int(m["seed"]), inside=int(m["inside"]),
                  elapsed_s=float(m["elapsed_s"]), compile_s=float(m["compile_s"]),
                  finished_at=float(m["finished_at"]))  # fmt: skip


def _csv_cell(value: object) -> object:
    """A cell that a spreadsheet cannot read as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
