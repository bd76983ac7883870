"""Requests through the production WSGI entry point (``backoffice.handlers.dispatching_application``).

Django's test client has a handler of its own, so it never takes the API lanes of the entry point; tests of those
lanes (and the wallet's contract tests, which run on both) call the entry point with this client instead.
"""

from __future__ import annotations

import io
import json
import sys
from functools import cache

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@cache
def application():
    """The entry point, built once (as a server's worker builds it)."""
    from backoffice.handlers import dispatching_application

    return dispatching_application()


def _no_housekeeping():
    pass


class WsgiResponse:
    def __init__(self, status: str, headers: list[tuple[str, str]], content: bytes):
        self.status_code = int(status.split()[0])
        self.reason = status.split(" ", 1)[1]
        self.header_list = headers
        self.headers = dict(headers)
        self.content = content

    def json(self):
        return json.loads(self.content)


class WsgiClient:
    """``post``/``get`` like Django's test client (the subset the tests use), through :func:`application`."""

    def __init__(self, app=None, *, expect_lane: bool = False, housekeeping: bool = False):
        """``expect_lane``: fail any request that Django's handler served instead of the plain lane.
        ``housekeeping``: keep the end-of-request connection housekeeping, as a server does (for transactional
        tests; in a test transaction it would close the test's connection)."""
        self.app = app or application()
        self.expect_lane = expect_lane
        self.housekeeping = housekeeping

    def request(self, method: str, path: str, body: bytes = b"", *, content_type: str = "application/json",
                headers: dict | None = None, host: str = "testserver", scheme: str = "http") -> WsgiResponse:
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
                   "SERVER_NAME": host, "SERVER_PORT": "443" if scheme == "https" else "80", "HTTP_HOST": host,
                   "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
                   "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": scheme, "wsgi.errors": sys.stderr,
                   "SERVER_PROTOCOL": "HTTP/1.1"}
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        captured = {}

        def start_response(status, response_headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(response_headers)

        # As Django's test client does: the test's transaction must survive the request's connection housekeeping
        # (the request signals' on Django's handler, the plain lane's own on the plain lane).
        from backoffice.handlers import PlainLane

        django_served = []

        def served_by_django(sender, **kwargs):
            django_served.append(sender)

        if not self.housekeeping:
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
        request_started.connect(served_by_django)
        previous = PlainLane.__dict__["housekeeping"]
        if not self.housekeeping:
            PlainLane.housekeeping = staticmethod(_no_housekeeping)
        try:
            chunks = self.app(environ, start_response)
            content = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
        finally:
            request_started.disconnect(served_by_django)
            if not self.housekeeping:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)
            PlainLane.housekeeping = previous
        assert not (self.expect_lane and django_served), f"{method} {path} was served by {django_served}"
        return WsgiResponse(captured["status"], captured["headers"], content)

    def post(self, path: str, data: bytes = b"", content_type: str = "application/json", headers=None, **kw):
        return self.request("POST", path, data, content_type=content_type, headers=headers, **kw)

    def get(self, path: str, headers=None, **kw):
        return self.request("GET", path, headers=headers, **kw)
