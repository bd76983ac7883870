"""The WSGI entry point: the console's full middleware stack, and a lean one for the signed machine APIs.

Everything under ``API_PATH_PREFIX`` (``/api/``: the seamless-wallet API, payment webhooks, the lobby) is
called by machines that authenticate every request with an HMAC signature, never with a session or a cookie.
Sessions, authentication, CSRF, two-factor, messages, htmx, CSP and axes do nothing useful there, yet cost
~0.4 ms of CPU per call (the CSP middleware alone builds its policy header for every response, exempt or
not), and the wallet API is the product's hottest path. So API requests go through a second handler whose
stack is ``API_MIDDLEWARE`` (security headers and the request id) and which resolves against the API's own
short URL list (``API_URLCONF``: the patterns ``ROOT_URLCONF`` includes as they are). Views, error handling
and Django's request signals (connection housekeeping) are the same. The Django test client always uses the full stack;
tests/backoffice/test_handlers.py checks this dispatcher itself.

A view marked :func:`plain_lane` (the seamless-wallet API's operations) is served on a plainer lane still: no
``HttpRequest``, middleware or URL resolution by Django's handler, but a :class:`LaneRequest` (method, path, META,
the body) and what the API middleware would have given (request id and client IP bound for logs and audit, the
security headers, the Host check, the connection housekeeping). Anything the lane does not serve exactly as Django would
(a refused Host, an HTTPS redirect, DEBUG) takes the handler above.
"""

from __future__ import annotations

import functools
import io

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import convert_exception_to_response, response_for_exception
from django.core.handlers.wsgi import LimitedStream, WSGIHandler, WSGIRequest
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test.signals import setting_changed
from django.urls import Resolver404, get_resolver
from django.utils.log import log_response
from django.utils.module_loading import import_string

from backoffice.middleware import request_context


class ApiWSGIHandler(WSGIHandler):
    """Django's WSGI handler with ``API_MIDDLEWARE`` around the views of ``API_URLCONF``, and no more.

    Django's own request handling runs unchanged around it: the request signals (connection housekeeping), the
    request and response objects, the status and headers, the closing. What it leaves out are the parts of
    the generic path that only pages use: an exception-to-response wrapper around every middleware (one around
    the whole chain converts exactly the same way), view middleware, ATOMIC_REQUESTS, template responses; and
    it resolves against the API's own short URL list. The Host check and Content-Length that
    ``CommonMiddleware`` gave, it does itself. Measured in-process on the wallet benchmark's database, 14
    interleaved rounds of bets and wins: ~0.3 ms less Python CPU per call than Django's handler with the
    same middleware.
    """

    def load_middleware(self, is_async=False):
        self._resolver = get_resolver(settings.API_URLCONF)
        handler = convert_exception_to_response(self._view)  # a failing view's response passes the middleware
        for path in reversed(settings.API_MIDDLEWARE):
            handler = import_string(path)(handler)
        self._middleware_chain = convert_exception_to_response(handler)

    def _view(self, request):
        request.get_host()  # ALLOWED_HOSTS: DisallowedHost becomes a 400, as for any page
        match = self._resolver.resolve(request.path_info)  # Resolver404 becomes a 404
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response


def plain_lane(view):
    """Mark a view of ``API_URLCONF`` as servable on the plain lane (:class:`PlainLane`).

    Such a view reads only ``request.method``, ``request.path``, ``request.META``, ``request.read()`` and
    ``request.request_id``, and returns a non-streaming response; it must give the same answer on both lanes
    (tests/backoffice/test_handlers.py and the wallet's contract tests run on both).
    """
    view.plain_lane = True
    return view


class LaneRequest:
    """The request a :func:`plain_lane` view gets on the plain lane: what a signed machine call needs of Django's
    ``WSGIRequest``, and nothing built lazily behind it. The body is bounded by Content-Length, as Django's."""

    __slots__ = ("META", "_stream", "method", "path", "request_id")

    def __init__(self, environ: dict, path: str):
        self.method = environ["REQUEST_METHOD"].upper()
        self.path = path
        self.META = environ
        self.request_id = ""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        self._stream = LimitedStream(environ["wsgi.input"], max(length, 0))

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


# What decides whether the plain lane may serve a request, and the headers SecurityMiddleware adds to its
# responses: the Host (ALLOWED_HOSTS; the forwarded host and port only where Django reads them) and the scheme
# (HTTPS redirect, HSTS). Values longer than this, and paths too, are left to Django's handler uncached: the caches
# below are keyed on what a caller sends, so their entries must stay small.
_MAX_CACHED = 256


@functools.lru_cache(maxsize=1)
def _fact_keys() -> tuple[str, ...]:
    """The environ keys :func:`_lane_facts` is decided by, under the current settings."""
    keys = ["HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme"]
    if settings.USE_X_FORWARDED_HOST:
        keys.append("HTTP_X_FORWARDED_HOST")
    if settings.USE_X_FORWARDED_PORT:
        keys.append("HTTP_X_FORWARDED_PORT")
    if settings.SECURE_PROXY_SSL_HEADER:
        keys.append(settings.SECURE_PROXY_SSL_HEADER[0])
    return tuple(keys)


@functools.lru_cache(maxsize=256)
def _lane_facts(facts: tuple) -> tuple[bool, tuple]:
    """(served on the plain lane?, SecurityMiddleware's headers for its responses), decided by Django's own code
    on a stand-in request with the same host and scheme facts: once per distinct set, not per call."""
    environ = {key: value for key, value in zip(_fact_keys(), facts, strict=True) if value is not None}
    environ.update({"REQUEST_METHOD": "POST", "PATH_INFO": settings.API_PATH_PREFIX, "wsgi.input": io.BytesIO()})
    request = WSGIRequest(environ)
    try:
        request.get_host()
    except DisallowedHost:  # Django's handler answers 400 (and logs it)
        return False, ()
    security = SecurityMiddleware(lambda request: HttpResponse())
    if security.redirect and not request.is_secure():  # Django's handler redirects (or serves an exempt path)
        return False, ()
    response = security.process_response(request, HttpResponse())
    return True, tuple((name, value) for name, value in response.items() if name != "Content-Type")


def _settings_changed(**kwargs):
    _fact_keys.cache_clear()
    _lane_facts.cache_clear()


setting_changed.connect(_settings_changed)


class PlainLane:
    """Serves the :func:`plain_lane` views of ``API_URLCONF`` without Django's request handling.

    Why: the seamless-wallet API is the product's hottest path. Under load, Django's per-request machinery
    (``WSGIRequest``, the middleware chain, URL resolution, the request signals and their receivers, the
    handler's response handling) cost ~0.2 ms of a worker's CPU per call: a quarter of a bet's Python time, and
    ~10% of the machine's CPU per call with PostgreSQL on the same two cores (docs/performance.md).

    What a call keeps: the request id and client IP bound for logs and audit rows
    (``backoffice.middleware.request_context``); ALLOWED_HOSTS, the HTTPS redirect and the security headers,
    decided by Django's own code once per distinct host and scheme (:func:`_lane_facts`); Django's answer to an
    unexpected exception; and the connection housekeeping Django's ``request_finished`` receiver does
    (:meth:`housekeeping`: a broken or expired connection is closed, the next query's health check re-armed).
    What it leaves out: the request signals themselves, so a :func:`plain_lane` view must not depend on another
    receiver of them (per-request cache closing: Django's Redis cache keeps its pool anyway).
    """

    housekeeping = staticmethod(close_old_connections)  # the test client swaps it, as it disconnects the signals

    def __init__(self):
        self.resolver = get_resolver(settings.API_URLCONF)
        # A few providers x six operations; paths of at most _MAX_CACHED characters: ~0.5 MB at worst.
        self.resolve = functools.lru_cache(maxsize=1024)(self._resolve)

    def _resolve(self, path: str):
        try:
            match = self.resolver.resolve(path)
        except Resolver404:
            return None
        return (match.func, match.args, match.kwargs) if getattr(match.func, "plain_lane", False) else None

    def __call__(self, environ: dict, path: str, start_response):
        """The WSGI response, or None when this request is not the lane's (Django's handler then serves it)."""
        if settings.DEBUG or len(path) > _MAX_CACHED or not path.isascii():
            return None
        view = self.resolve(path)
        if view is None:
            return None
        facts = tuple(environ.get(key) for key in _fact_keys())
        if any(value is not None and len(value) > _MAX_CACHED for value in facts):
            return None
        served, security_headers = _lane_facts(facts)
        if not served:
            return None
        func, args, kwargs = view
        request = LaneRequest(environ, path)
        try:
            with request_context(request) as rid:
                request.request_id = rid
                try:
                    response = func(request, *args, **kwargs)
                except Exception as exc:  # rare: answered by Django's code, on a request of its own
                    django_request = WSGIRequest(environ)
                    django_request.request_id = rid
                    response = response_for_exception(django_request, exc)  # logged there
                if response.status_code >= 400:  # as Django's handler logs them (django.request)
                    log_response("%s: %s", response.reason_phrase, path, response=response, request=request)
            body = response.content
            for name, value in security_headers:  # SecurityMiddleware's setdefault
                if name not in response:
                    response[name] = value
            if "Content-Length" not in response:
                response["Content-Length"] = str(len(body))
            response["X-Request-ID"] = rid
            headers = [*response.items(),
                       *(("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values())]
            start_response(f"{response.status_code} {response.reason_phrase}", headers)
            return [body]  # one piece: the server writes it without iterating a response object
        finally:
            self.housekeeping()


def dispatching_application():
    """The WSGI callable: :func:`plain_lane` views to the plain lane, other API paths to the lean handler,
    everything else to the full one."""
    site = get_wsgi_application()  # sets Django up
    api = ApiWSGIHandler()
    lane = PlainLane()
    prefix = settings.API_PATH_PREFIX

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(prefix):
            return lane(environ, path, start_response) or api(environ, start_response)
        return site(environ, start_response)

    application.site_handler, application.api_handler, application.plain_lane = site, api, lane
    return application
