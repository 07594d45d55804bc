"""The passcode on a locked loopback server in Chromium: every wrong try from a fresh browser context (a new
visitor, no address: a script behind a proxy on the same host) makes the next one wait longer, a fresh
context within the wait is refused, and the right passcode unlocks once the wait is over. And what the
README says of a forwarder that adds no ``X-Forwarded-For`` (socat, ``ssh -L``): in front of a loopback
server every visitor is the operator, unless the server is locked."""

import contextlib
import re
import socket
import threading
import time

import pytest

from tests.support.browser import VIEWPORT, free_port, open_page, serve_app

PASSCODE = "tea-and-biscuits-42"
ANSWER = re.compile(r"wrong passcode|too many wrong tries")


@pytest.fixture
def locked_loopback():
    """A server on 127.0.0.1 locked for everyone (as in front of a tunnel), with a passcode; a fresh one for
    each test (and each rerun), whose gate has seen no wrong try."""
    env = {"PILAB_LOCKED": "1", "PILAB_OPERATOR_PASSCODE": PASSCODE}
    with serve_app(env=env, args=("--server.address", "127.0.0.1")) as (url, _):
        yield url


def try_passcode(browser, url: str, given: str) -> str:
    """Open the home page in a fresh browser context, type ``given`` in the unlock form, press Unlock and
    return the sidebar's answer ("" when it unlocked)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        open_page(page, url)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Student view").click()
        sidebar.get_by_label("Operator passcode").fill(given)
        sidebar.get_by_role("button", name="Unlock").click()
        if given == PASSCODE:
            sidebar.get_by_text(re.compile(r"Jobs \(|too many wrong tries")).first.wait_for()
            return "" if sidebar.get_by_text("Jobs (").count() else sidebar.get_by_text(ANSWER).inner_text()
        return sidebar.get_by_text(ANSWER).first.inner_text()
    finally:
        context.close()


def seconds_in(message: str) -> float:
    return float(re.search(r"(\d+(?:[.,]\d+)?) s\b", message).group(1).replace(",", "."))


def test_fresh_browsers_wait_longer_after_each_wrong_try_and_the_passcode_unlocks(browser, locked_loopback):
    url, waits = locked_loopback, []
    for i in range(7):
        said = try_passcode(browser, url, f"guess-{i}")
        assert said.startswith("wrong passcode; the next try is possible in "), said
        waits.append(seconds_in(said))
        if i < 6:
            time.sleep(waits[-1])  # as long as it must, never longer
    assert waits == sorted(waits) and waits[0] == 1 and waits[-1] >= 8, waits  # growing across visitors
    refused = try_passcode(browser, url, PASSCODE)  # yet another visitor, within the last wait
    assert refused.startswith("too many wrong tries on this server: wait "), refused
    time.sleep(seconds_in(refused))
    assert try_passcode(browser, url, PASSCODE) == ""  # after the wait, the operator gets in


@contextlib.contextmanager
def tcp_forwarder(target_port: int):
    """A plain TCP forwarder on loopback (as ``socat`` or ``ssh -L``): bytes both ways, no header added."""
    listener = socket.create_server(("127.0.0.1", free_port()))
    sockets: list[socket.socket] = [listener]

    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = listener.accept()
                upstream = socket.create_connection(("127.0.0.1", target_port))
                sockets.extend((client, upstream))
                threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        for s in sockets:
            with contextlib.suppress(OSError):
                s.close()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_forwarder_without_proxy_headers_makes_every_visitor_the_operator_unless_locked(
    page, locked_loopback
):
    open_server = serve_app(args=("--server.address", "127.0.0.1"))
    with open_server as (url, _), tcp_forwarder(port_of(url)) as forwarded:
        open_page(page, forwarded)  # a student in the room, through the forwarder
        page.get_by_text("Operator (this server listens on this machine only)").wait_for()
    with tcp_forwarder(port_of(locked_loopback)) as forwarded:  # with locked = true, as the README says
        open_page(page, forwarded)
        page.get_by_test_id("stSidebar").get_by_text("Student view").wait_for()
        assert "Jobs (" not in page.content()
