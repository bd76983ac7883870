"""The WSGI entry point (backoffice/handlers.py): machine APIs get the lean middleware stack, pages the full one."""

import json
import time

import pytest
from django.conf import settings
from django.core.signals import request_started

from tests.wsgi import WsgiClient


def _call(app, path, method="GET", body=b"", host="testserver"):
    response = WsgiClient(app).request(method, path, body, host=host)
    return response.status_code, response.headers, response.content


@pytest.fixture(scope="module")
def application():
    from tests.wsgi import application

    return application()


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


# --- The plain lane (PlainLane): the wallet's operations without Django's request handling -------------------

@pytest.fixture
def served_by(monkeypatch):
    """Which way each request took, in order: "PlainLane" or Django's "ApiWSGIHandler" (its request_started)."""
    from backoffice import handlers

    senders = []

    class Recorded(handlers.LaneRequest):
        def __init__(self, *args):
            senders.append("PlainLane")
            super().__init__(*args)

    def record(sender, **kwargs):
        senders.append(sender.__name__)

    monkeypatch.setattr(handlers, "LaneRequest", Recorded)
    request_started.connect(record)
    yield senders
    request_started.disconnect(record)


def _signed(body: dict):
    from tests.games.factories import signed_headers

    raw = json.dumps(body).encode()
    return raw, signed_headers(raw)


def _both(application, method, path, body=b"", **kw):
    """The same request through the entry point (the plain lane) and through Django's API handler."""
    lane = WsgiClient(application).request(method, path, body, **kw)
    django = WsgiClient(application.api_handler).request(method, path, body, **kw)
    return lane, django


def _same_answer(lane, django):
    assert lane.status_code == django.status_code and lane.reason == django.reason
    assert lane.content == django.content
    without_id = [(k, v) for k, v in lane.header_list if k != "X-Request-ID"]
    assert sorted(without_id) == sorted((k, v) for k, v in django.header_list if k != "X-Request-ID")
    assert len(lane.headers["X-Request-ID"]) == 32


@pytest.fixture
def wallet_world(db):
    from tests.games import factories as gf

    gf.jurisdiction("mga", ("MT",))
    provider = gf.provider("acme")
    return {"provider": provider, "session": gf.funded_session(gf.game(provider, "slot-1"), cash="100.00")}


def test_wallet_calls_take_the_plain_lane_and_answer_as_django_does(application, wallet_world, served_by):
    token = wallet_world["session"].token
    raw, signed = _signed({"token": token})
    cases = [
        ("POST", "/api/wallet/v1/acme/balance", raw, {"headers": signed}),  # OK
        ("POST", "/api/wallet/v1/acme/balance", raw, {}),  # no signature: 401
        ("POST", "/api/wallet/v1/nosuch/balance", raw, {"headers": signed}),  # unknown provider: 401
        ("POST", "/api/wallet/v1/acme/balance", raw, {"headers": signed, "content_type": "text/plain"}),  # 400
        ("POST", "/api/wallet/v1/acme/nosuch-op", raw, {"headers": signed}),  # 404, JSON
        ("GET", "/api/wallet/v1/acme/balance", b"", {}),  # 405, JSON
    ]
    for method, path, body, kw in cases:
        served_by.clear()
        lane, django = _both(application, method, path, body, **kw)
        assert served_by == ["PlainLane", "ApiWSGIHandler"], path
        _same_answer(lane, django)
    assert lane.status_code == 405 and lane.json()["code"] == "WRONG_SYNTAX"


def test_a_bet_on_the_plain_lane_is_replayed_identically_by_django(application, wallet_world, served_by):
    raw, signed = _signed({
        "token": wallet_world["session"].token, "transaction_id": "t1", "round_id": "r1", "game_id": "slot-1",
        "amount": "2.50", "currency": "EUR"})
    lane, django = _both(application, "POST", "/api/wallet/v1/acme/bet", raw, headers=signed)
    assert served_by == ["PlainLane", "ApiWSGIHandler"]
    assert lane.json()["status"] == "OK" and lane.json()["balance"] == "97.50"
    _same_answer(lane, django)  # the replay: the original transaction, nothing moved twice


def test_the_plain_lane_keeps_the_request_id(application, wallet_world, served_by, monkeypatch):
    import logging

    from backoffice.logging import add_request_context

    seen = {}

    def view_logs(*args, **kwargs):  # what a log line written inside the view gets
        seen.update(add_request_context(logging.getLogger(), "warning", {}))
        raise RuntimeError("logged")

    monkeypatch.setattr("games.api._provider", view_logs)
    response = WsgiClient(application).post("/api/wallet/v1/acme/balance", b"{}",
                                            headers={"X-Request-ID": "provider-req-0001"})
    assert served_by == ["PlainLane"] and response.status_code == 500
    assert response.headers["X-Request-ID"] == seen["request_id"] == "provider-req-0001"
    assert seen["ip"] == "127.0.0.1"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert add_request_context(None, "info", {}) == {}  # nothing bound outside a request


@pytest.mark.django_db(transaction=True)
def test_the_plain_lane_does_djangos_connection_housekeeping(application, wallet_world, settings):
    """After a call, the connection is closed if it broke or outlived CONN_MAX_AGE, as Django's request_finished
    receiver does (here without the test client's swap: a committed world, no test transaction to keep)."""
    from django.db import connection

    from tests.games.factories import WalletClient

    wallet = WalletClient(WsgiClient(application, expect_lane=True, housekeeping=True), "acme")

    def call():
        return wallet.call("balance", token=wallet_world["session"].token)[1]

    assert call()["status"] == "OK"
    first = connection.connection
    assert first is not None and call()["status"] == "OK" and connection.connection is first  # kept (CONN_MAX_AGE)
    connection.close_at = time.monotonic() - 1  # its age is up
    assert call()["status"] == "OK" and connection.connection is None  # closed after the call
    assert call()["status"] == "OK" and connection.connection is not None  # a new one for the next


def test_what_the_plain_lane_leaves_to_django(application, wallet_world, served_by, settings):
    from backoffice.handlers import dispatching_application

    client = WsgiClient(application)
    assert client.get("/api/wallet/v1/openapi.json").status_code == 200  # not a plain-lane view
    assert client.post("/api/wallet/v1/acme/balance", b"{}", host="evil.example").status_code == 400
    assert client.post("/api/wallet/v1/ac\xc3\xa9/balance", b"{}").status_code == 401  # WSGI's latin-1 of "acé"
    assert served_by == ["ApiWSGIHandler", "ApiWSGIHandler", "ApiWSGIHandler"]

    served_by.clear()
    long_code = "a" * 300  # caller-sized values are not cached: Django's handler serves them
    assert client.post(f"/api/wallet/v1/{long_code}/balance", b"{}").status_code == 401
    assert client.post("/api/wallet/v1/acme/balance", b"{}", host="h" * 300).status_code == 400
    assert served_by == ["ApiWSGIHandler", "ApiWSGIHandler"]

    served_by.clear()
    settings.SECURE_SSL_REDIRECT = True  # plain HTTP: Django's redirect
    client = WsgiClient(dispatching_application())  # middleware reads its settings when it is built
    response = client.post("/api/wallet/v1/acme/balance", b"{}")
    assert response.status_code == 301 and response.headers["Location"].startswith("https://")
    response = client.post("/api/wallet/v1/acme/balance", b"{}", scheme="https")
    assert response.status_code == 401 and served_by == ["ApiWSGIHandler", "PlainLane"]

    served_by.clear()
    settings.SECURE_REDIRECT_EXEMPT = [r"^api/wallet/"]  # exempt from the redirect: Django serves plain HTTP
    client = WsgiClient(dispatching_application())
    assert client.post("/api/wallet/v1/acme/balance", b"{}").status_code == 401
    assert served_by == ["ApiWSGIHandler"]

    served_by.clear()
    settings.DEBUG = True  # Django's debug pages need its own request
    client.post("/api/wallet/v1/acme/balance", b"{}", scheme="https")
    assert served_by == ["ApiWSGIHandler"]


def test_https_and_hsts_on_the_plain_lane_are_djangos(wallet_world, settings):
    from backoffice.handlers import dispatching_application

    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    application = dispatching_application()  # middleware reads its settings when it is built
    lane, django = _both(application, "POST", "/api/wallet/v1/acme/balance", b"{}",
                         headers={"X-Forwarded-Proto": "https"})
    _same_answer(lane, django)
    assert lane.headers["Strict-Transport-Security"].startswith("max-age=3600")
    lane, django = _both(application, "POST", "/api/wallet/v1/acme/balance", b"{}")
    _same_answer(lane, django)
    assert "Strict-Transport-Security" not in lane.headers


def test_failures_on_the_plain_lane(application, wallet_world, monkeypatch, served_by):
    from django.db import OperationalError

    def db_down(code):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr("games.api._provider", db_down)
    lane, django = _both(application, "POST", "/api/wallet/v1/acme/balance", b"{}")
    assert lane.status_code == 500 and lane.json()["code"] == "INTERNAL_RETRY"  # the contract's transient failure
    _same_answer(lane, django)

    def bug(code):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("games.api._provider", bug)
    served_by.clear()
    lane, django = _both(application, "POST", "/api/wallet/v1/acme/balance", b"{}")
    assert served_by == ["PlainLane", "ApiWSGIHandler"]
    assert lane.status_code == django.status_code == 500 and lane.content == django.content  # Django's 500 page
    assert "X-Request-ID" in lane.headers


def test_the_plain_lane_logs_refusals_as_django_does(application, wallet_world, caplog, served_by):
    """Django's handler logs every answer >= 400 (django.request: 4xx as warnings): forged or unsigned calls must
    stay visible to monitoring on the plain lane too."""
    import logging

    for method, path, body in (("GET", "/api/wallet/v1/acme/balance", b""),
                               ("POST", "/api/wallet/v1/acme/balance", b"{}")):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.request"):
            lane, _ = _both(application, method, path, body)
        records = [(r.levelname, r.getMessage(), r.status_code) for r in caplog.records if r.name == "django.request"]
        assert len(records) == 2 and records[0] == records[1], records  # the lane's, then Django's: the same
        assert records[0][2] == lane.status_code in (405, 401)
    assert served_by == ["PlainLane", "ApiWSGIHandler"] * 2
