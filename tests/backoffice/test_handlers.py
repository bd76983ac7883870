"""The WSGI entry point (backoffice/handlers.py): machine APIs get the lean middleware stack, pages the full one."""

import io
import sys

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


def _call(app, path, method="GET", body=b"", host="testserver"):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
               "SERVER_NAME": host, "SERVER_PORT": "80", "HTTP_HOST": host,
               "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
               "SERVER_PROTOCOL": "HTTP/1.1"}
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = int(status.split()[0]), dict(headers)

    # As Django's test client does: the test's transaction must survive the request's connection housekeeping.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = app(environ, start_response)
        content = b"".join(chunks)
        chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return captured["status"], captured["headers"], content


@pytest.fixture(scope="module")
def application():
    from backoffice.handlers import dispatching_application

    return dispatching_application()


@pytest.mark.django_db
def test_api_paths_use_the_lean_stack(application):
    status, headers, content = _call(application, "/api/wallet/v1/nosuch/bet", "POST", b"{}")
    assert status == 401 and b"INVALID_SIGNATURE" in content
    assert "X-Request-ID" in headers and headers["Content-Length"] == str(len(content))
    assert "Content-Security-Policy" not in headers and "Set-Cookie" not in headers
    assert "Vary" not in headers  # no session or auth middleware looked at the request


@pytest.mark.django_db
def test_pages_keep_the_full_stack(application):
    status, headers, _ = _call(application, "/login/")
    assert status == 200
    assert "Content-Security-Policy" in headers and "X-Frame-Options" in headers and "X-Request-ID" in headers


def test_building_the_lean_handler_leaves_the_setting_alone():
    from backoffice.handlers import ApiWSGIHandler

    before = list(settings.MIDDLEWARE)
    handler = ApiWSGIHandler()
    assert before == settings.MIDDLEWARE
    assert handler._middleware_chain is not None


def test_the_api_urlconf_is_the_root_urlconfs_api_part():
    """The API lane resolves against API_URLCONF alone; the full stack (and the test client) must see the
    same endpoints under the same paths."""
    from django.urls import get_resolver

    api = get_resolver(settings.API_URLCONF)
    root = get_resolver(settings.ROOT_URLCONF)
    for path in ("/api/wallet/v1/acme/bet", "/api/wallet/v1/openapi.json", "/api/lobby/v1/mga",
                 "/api/payments/v1/simpay/webhook"):
        assert api.resolve(path).func is root.resolve(path).func
    assert all(str(p.pattern).startswith("api/") for p in api.url_patterns)


@pytest.mark.django_db
def test_api_paths_still_check_the_host(application):
    assert _call(application, "/api/wallet/v1/openapi.json")[0] == 200
    assert _call(application, "/api/wallet/v1/openapi.json", host="evil.example")[0] == 400  # ALLOWED_HOSTS


@pytest.mark.django_db
def test_api_lane_answers_unknown_paths_and_failures_like_django(application, monkeypatch):
    status, headers, _ = _call(application, "/api/nosuch/v1/thing")
    assert status == 404 and "X-Request-ID" in headers

    def boom():
        raise RuntimeError("unexpected")

    monkeypatch.setattr("games.openapi.document", boom)  # the openapi view's only call
    status, headers, _ = _call(application, "/api/wallet/v1/openapi.json")
    assert status == 500 and "X-Request-ID" in headers  # Django's 500 response, through the middleware
