"""Deliveries to one endpoint reuse a worker's connection, unless an answer was left unread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from returns_service.notifications import outbound


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    peers: list[int] = []

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.peers.append(self.client_address[1])
        data = b"x" * 10_000 if self.path == "/long" else b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[int]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    _Receiver.peers = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Receiver.peers
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str) -> outbound.Answer:
    target = outbound.check_url(url, ["127.0.0.1"])
    return outbound.post(target, b"{}", {"Content-Type": "application/json"}, 5.0)


def test_deliveries_to_one_endpoint_share_a_connection(receiver: tuple) -> None:
    base, peers = receiver
    answers = [_post(f"{base}/hook") for _ in range(3)]
    assert [a.status for a in answers] == [200] * 3
    assert answers[0].excerpt == '{"ok": true}'
    assert len(peers) == 3 and len(set(peers)) == 1


def test_an_answer_left_unread_closes_its_connection(receiver: tuple) -> None:
    base, peers = receiver
    long = _post(f"{base}/long")
    assert long.status == 200 and long.excerpt == "x" * outbound.EXCERPT_CHARACTERS
    after = _post(f"{base}/hook")
    assert after.status == 200 and after.excerpt == '{"ok": true}'
    assert len(set(peers)) == 2
