"""Plain-Python tests for lib.transport against a real local HTTP server."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.lib import retry, transport

#: short client timeout for the /slow endpoint (the server sleeps SLOW_DELAY)
CLIENT_TIMEOUT = 0.3
SLOW_DELAY = 1.5


class _Handler(BaseHTTPRequestHandler):
    def _send(self, status, body=b"", content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the /slow timeout test)

    do_POST = do_GET

    def _route(self):
        if self.path == "/ok":
            self._send(200, json.dumps({"shop": {"name": "Demo"}}).encode())
        elif self.path == "/echo":
            length = int(self.headers.get("Content-Length") or 0)
            self._send(200, self.rfile.read(length))
        elif self.path == "/empty":
            self._send(204)
        elif self.path == "/throttled":
            self._send(429, b'{"errors": "Throttled"}', headers={"Retry-After": "7"})
        elif self.path == "/boom":
            self._send(503, b"Service Unavailable", content_type="text/plain")
        elif self.path == "/missing":
            self._send(404, b'{"errors": "Not Found"}')
        elif self.path == "/slow":
            time.sleep(SLOW_DELAY)
            self._send(200, b"{}")
        elif self.path == "/notjson":
            self._send(200, b"<html>maintenance</html>", content_type="text/html")
        else:
            self._send(500, b"unexpected path")

    def log_message(self, format, *args):  # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def no_proxy(monkeypatch):
    """Make sure a proxy configured in the environment never intercepts 127.0.0.1."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def test_ok_returns_response_and_decoded_json(base_url, no_proxy):
    response, data = transport.request_json("GET", f"{base_url}/ok", timeout=5)
    assert response.status_code == 200
    assert data == {"shop": {"name": "Demo"}}


def test_post_with_session_passes_kwargs_through(base_url, no_proxy):
    with requests.Session() as session:
        _response, data = transport.request_json(
            "POST", f"{base_url}/echo", session=session, timeout=5, json={"query": "{ shop { name } }"}
        )
    assert data == {"query": "{ shop { name } }"}


def test_empty_body_returns_none(base_url, no_proxy):
    response, data = transport.request_json("GET", f"{base_url}/empty", timeout=5)
    assert response.status_code == 204
    assert data is None


def test_429_raises_throttled_with_retry_after_header(base_url, no_proxy):
    with pytest.raises(retry.ThrottledError) as info:
        transport.request_json("GET", f"{base_url}/throttled", timeout=5)
    assert (info.value.status, info.value.retry_after) == (429, 7.0)
    job_error = retry.to_job_error(info.value)
    assert isinstance(job_error, RetryableJobError)
    assert (job_error.seconds, job_error.ignore_retry) == (7, True)


def test_503_raises_transient_with_default_delay(base_url, no_proxy):
    with pytest.raises(retry.TransientError) as info:
        transport.request_json("GET", f"{base_url}/boom", timeout=5)
    assert (info.value.status, info.value.retry_after) == (503, retry.DEFAULT_TRANSIENT_DELAY)
    assert "Service Unavailable" in str(info.value)


def test_404_raises_permanent(base_url, no_proxy):
    with pytest.raises(retry.PermanentError) as info:
        transport.request_json("GET", f"{base_url}/missing", timeout=5)
    assert type(info.value) is retry.PermanentError
    assert info.value.status == 404
    assert retry.to_job_error(info.value) is info.value


def test_read_timeout_raises_transient(base_url, no_proxy):
    started = time.monotonic()
    with pytest.raises(retry.TransientError) as info:
        transport.request_json("GET", f"{base_url}/slow", timeout=CLIENT_TIMEOUT)
    elapsed = time.monotonic() - started
    assert elapsed < SLOW_DELAY, "the client must give up before the server answers"
    assert isinstance(info.value.__cause__, requests.Timeout)
    assert info.value.retry_after == retry.DEFAULT_TRANSIENT_DELAY


def test_invalid_json_raises_permanent(base_url, no_proxy):
    with pytest.raises(retry.PermanentError) as info:
        transport.request_json("GET", f"{base_url}/notjson", timeout=5)
    assert type(info.value) is retry.PermanentError
    assert str(info.value) == "The channel answered with invalid JSON: <html>maintenance</html>"


def test_connection_refused_raises_transient(no_proxy):
    # reserve a free port, then close it so nothing listens there
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(retry.TransientError) as info:
        transport.request_json("GET", f"http://127.0.0.1:{port}/ok", timeout=2)
    assert isinstance(info.value.__cause__, requests.ConnectionError)
    assert str(info.value).startswith("ConnectionError: ")
