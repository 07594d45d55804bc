"""Lesson 10: N requests to a slow server awaited one by one take N latencies; ``asyncio.gather``, about one.

The server is real: a local ``asyncio`` server on 127.0.0.1 (a free port, in a thread of its own, closed at
the end) that answers each request after the latency the student sets, so the clients wait on sockets as they
would on someone else's server. Every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import math
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from core.lessons.lesson import Chart, Lesson, Result
from core.runtime.i18n import N_, Translate, english

WHY = N_(
    "A coroutine (`async def`) runs until it has to wait, here for the server's reply at `await`, and hands "
    "its thread back to the event loop, which runs another coroutine meanwhile. Awaited one by one, the "
    "requests queue up: N requests take N latencies. `asyncio.gather` starts them all and waits for all, so "
    "their waits overlap: about one latency, on one thread, with the processor almost idle. "
    "`asyncio.Semaphore(k)` lets at most k requests in at once, as a polite client does with someone "
    "else's server: about ⌈N/k⌉ latencies. A `ThreadPoolExecutor` with blocking sockets overlaps the waits "
    "too (a thread waiting on a socket releases the GIL), at the cost of one thread per request in flight. "
    "That is concurrency, not parallelism: the waits overlap, but only one thing computes at any moment. "
    "It is what the lecture says asynchrony is used for in web and software development: not blocking "
    "while data comes from a server. It does nothing for computing, such as counting the points of π, "
    "which needs several cores, and so processes: coroutines for waiting, processes for computing."
)

HOST = "127.0.0.1"
DEADLINE_S = 10.0  # the most one request may take beyond the server's latency before the lesson gives up
BACKLOG = 512  # connections the server queues before it accepts them: every request of gather at once


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, latency: float) -> None:
    """The server's side of one request: read its line, wait ``latency`` seconds, send the line back."""
    try:
        async with asyncio.timeout(latency + DEADLINE_S):
            line = await reader.readline()
            await asyncio.sleep(latency)  # the slow remote service: its client can only wait
            writer.write(line)
            await writer.drain()
    finally:
        writer.close()


class SlowServer:
    """A server on ``HOST`` (a free port) that answers every request after ``latency`` seconds, run by an
    event loop in a thread of its own (the remote service the clients wait for); ``with`` starts it and
    closes it, each within a deadline."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.port = 0
        self._started: Future = Future()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        try:
            handler = partial(answer, latency=self.latency)
            server = await asyncio.start_server(handler, HOST, 0, backlog=BACKLOG)
        except OSError as exc:
            self._started.set_exception(exc)
            return
        stop = asyncio.Event()
        self.port = server.sockets[0].getsockname()[1]
        self._started.set_result((asyncio.get_running_loop(), stop))
        async with server:  # closes the listening socket on the way out
            await stop.wait()

    def __enter__(self) -> SlowServer:
        self._thread.start()
        self._started.result(timeout=DEADLINE_S)
        return self

    def __exit__(self, *exc: object) -> None:
        loop, stop = self._started.result(timeout=DEADLINE_S)
        loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout=DEADLINE_S)
        if self._thread.is_alive():
            raise RuntimeError(f"the lesson's server on port {self.port} did not close within {DEADLINE_S} s")


async def fetch(number: int, *, port: int, timeout: float) -> tuple[int, float, float, int]:
    """One request from a coroutine: connect, send ``number``, await the reply; (number, start, end, the
    thread it ran on)."""
    start = time.perf_counter()
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(f"{number}\n".encode())
        reply = await reader.readline()
        writer.close()
        await writer.wait_closed()
    return checked(number, reply), start, time.perf_counter(), threading.get_ident()


def fetch_blocking(number: int, *, port: int, timeout: float) -> tuple[int, float, float, int]:
    """The same request with a blocking socket, as a thread makes it."""
    start = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=timeout) as conn:
        conn.sendall(f"{number}\n".encode())
        reply = conn.makefile("rb").readline()
    return checked(number, reply), start, time.perf_counter(), threading.get_ident()


def checked(number: int, reply: bytes) -> int:
    """``number``, once the server's reply is its request sent back; else a ``RuntimeError``."""
    if reply.strip() != str(number).encode():
        raise RuntimeError(f"request {number} got the reply {reply!r}")
    return number


async def one_at_a_time(fetch: Callable, requests: int) -> list:
    """Await each request before sending the next."""
    return [await fetch(number) for number in range(1, requests + 1)]


async def all_at_once(fetch: Callable, requests: int) -> list:
    """Send every request, then await them all together."""
    return await asyncio.gather(*(fetch(number) for number in range(1, requests + 1)))


async def at_most(fetch: Callable, requests: int, limit: int) -> list:
    """Send every request, ``limit`` of them in flight at most."""
    semaphore = asyncio.Semaphore(limit)

    async def bounded(number: int):
        async with semaphore:
            return await fetch(number)

    return await asyncio.gather(*(bounded(number) for number in range(1, requests + 1)))


def in_threads(fetch_blocking: Callable, requests: int, limit: int) -> list:
    """Each request on one of ``limit`` threads, with blocking sockets."""
    with ThreadPoolExecutor(max_workers=limit) as pool:
        return list(pool.map(fetch_blocking, range(1, requests + 1)))


def run_coroutine(make: Callable[[], Coroutine], *, timeout: float) -> Any:
    """``asyncio.run(make())`` within ``timeout`` seconds: in this thread, or in a thread of its own where
    this one already runs an event loop (Jupyter does, and ``asyncio.run`` refuses to run inside one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(asyncio.wait_for(make(), timeout))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(asyncio.wait_for(make(), timeout))).result(timeout + 1)


@dataclass(kw_only=True)
class CoroutinesResult(Result):
    requests: int
    latency_ms: int
    limit: int
    port: int
    one_at_a_time_s: float
    gather_s: float
    semaphore_s: float
    threads_s: float
    timeline: list[dict[str, Any]] = field(default_factory=list)  # way, request, start_s, end_s, thread

    chart = Chart("timeline", "request", "start_s", "end_s", axis=N_("seconds since each way began"))

    WAYS = ("one_at_a_time", "gather", "semaphore", "threads")

    def way_name(self, way: str) -> str:
        """How the page names a way: a message, or code as it is written."""
        return {
            "one_at_a_time": N_("one at a time"),
            "gather": "asyncio.gather",
            "semaphore": f"Semaphore({self.limit})",
            "threads": f"ThreadPoolExecutor({self.limit})",
        }[way]

    def seconds(self, way: str) -> float:
        return getattr(self, f"{way}_s")

    def expected(self, way: str) -> int:
        """How many latencies a way should take: N, 1, ⌈N/k⌉ and ⌈N/k⌉."""
        waves = math.ceil(self.requests / self.limit)
        return {"one_at_a_time": self.requests, "gather": 1, "semaphore": waves, "threads": waves}[way]

    def headline(self, *, _: Translate = english) -> str:
        return _(
            "{requests} requests to a server that answers after {latency} ms: one at a time "
            "{one_at_a_time} s, asyncio.gather {gather} s, Semaphore({limit}) {semaphore} s, "
            "ThreadPoolExecutor({limit}) {threads} s",
            requests=_.number(self.requests),
            latency=_.number(self.latency_ms),
            limit=self.limit,
            **{way: _.number(self.seconds(way), decimals=2) for way in self.WAYS},
        )

    def metrics(self, *, _: Translate = english) -> list[tuple[str, ...]]:
        base = self.one_at_a_time_s
        return [
            (_(self.way_name(way)), _.number(self.seconds(way), decimals=2) + " s")
            + (() if way == "one_at_a_time" else ("×" + _.number(base / self.seconds(way), decimals=1),))
            for way in self.WAYS
        ]

    def rows(self) -> list[dict[str, Any]]:
        latency = self.latency_ms / 1000
        return [
            {
                N_("way"): self.way_name(way),
                N_("seconds"): self.seconds(way),
                N_("latencies"): self.seconds(way) / latency,
                N_("expected latencies"): self.expected(way),
                N_("most at once"): most_at_once([t for t in self.timeline if t["way"] == way]),
                N_("threads"): len({t["thread"] for t in self.timeline if t["way"] == way}),
            }
            for way in self.WAYS
        ]

    def chart_rows(self) -> list[dict[str, Any]]:
        return [
            {
                N_("run"): self.way_name(t["way"]),
                N_("request"): f"{self.way_name(t['way'])} · #{t['request']}",
                "start_s": t["start_s"],
                "end_s": t["end_s"],
            }
            for t in self.timeline
        ]


def most_at_once(spans: list[dict[str, Any]]) -> int:
    """The most requests in flight at one moment, from their start and end times."""
    edges = sorted([(s["start_s"], 1) for s in spans] + [(s["end_s"], -1) for s in spans])
    in_flight = most = 0
    for _, step in edges:  # an end sorts before a start at the same instant
        in_flight += step
        most = max(most, in_flight)
    return most


def spans(way: str, done: list[tuple[int, float, float, int]], t0: float) -> list[dict[str, Any]]:
    """A way's requests as timeline rows: their times in seconds since the way began, their threads
    numbered 1, 2, … in order of first use."""
    threads: dict[int, int] = {}
    return [
        {
            "way": way,
            "request": number,
            "start_s": start - t0,
            "end_s": end - t0,
            "thread": threads.setdefault(ident, len(threads) + 1),
        }
        for number, start, end, ident in done
    ]


def coroutines(requests: int = 20, latency_ms: int = 100, limit: int = 5) -> CoroutinesResult:
    """Send ``requests`` requests to a server that answers after ``latency_ms`` each: awaited one at a
    time, with ``asyncio.gather``, with ``asyncio.Semaphore(limit)``, and on ``limit`` threads."""
    timeout = latency_ms / 1000 + DEADLINE_S  # one request's deadline
    longest = requests * timeout  # one at a time, every request may take its whole deadline
    timeline, seconds = [], {}
    with SlowServer(latency_ms / 1000) as server:
        get = partial(fetch, port=server.port, timeout=timeout)
        get_blocking = partial(fetch_blocking, port=server.port, timeout=timeout)
        ways = {
            "one_at_a_time": lambda: run_coroutine(lambda: one_at_a_time(get, requests), timeout=longest),
            "gather": lambda: run_coroutine(lambda: all_at_once(get, requests), timeout=timeout),
            "semaphore": lambda: run_coroutine(lambda: at_most(get, requests, limit), timeout=longest),
            "threads": lambda: in_threads(get_blocking, requests, limit),
        }
        for way, run in ways.items():
            t0 = time.perf_counter()
            done = run()
            seconds[way] = time.perf_counter() - t0
            timeline += spans(way, done, t0)
    return CoroutinesResult(
        requests=requests,
        latency_ms=latency_ms,
        limit=limit,
        port=server.port,
        one_at_a_time_s=seconds["one_at_a_time"],
        gather_s=seconds["gather"],
        semaphore_s=seconds["semaphore"],
        threads_s=seconds["threads"],
        timeline=timeline,
    )


LESSON = Lesson(
    name="coroutines",
    title=N_("Coroutines: waiting on many requests at once"),
    label=N_("Coroutines"),
    claim=N_(
        "N requests to a slow server awaited one by one take N latencies; ``asyncio.gather``, about one."
    ),
    why=WHY,
    function=coroutines,
    bounds={"requests": (1, 200), "latency_ms": (1, 1000), "limit": (1, 50)},
    # the code shown: the four ways first (they are the lesson), then a request, then the server
    shows=(one_at_a_time, all_at_once, at_most, in_threads, fetch, fetch_blocking, answer, SlowServer),
    isolated=False,  # starts no process: its threads and its server live for the run, in this process
)
