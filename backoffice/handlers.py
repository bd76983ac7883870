"""The WSGI entry point: the console's full middleware stack, and a lean one for the signed machine APIs.

Everything under ``API_PATH_PREFIX`` (``/api/``: the seamless-wallet API, payment webhooks, the lobby) is
called by machines that authenticate every request with an HMAC signature, never with a session or a cookie.
Sessions, authentication, CSRF, two-factor, messages, htmx, CSP and axes do nothing useful there, yet cost
~0.4 ms of CPU per call (the CSP middleware alone builds its policy header for every response, exempt or
not), and the wallet API is the product's hottest path. So API requests go through a second handler whose
stack is ``API_MIDDLEWARE`` (security headers, the request id, the Host check and Content-Length) and which
resolves against the API's own short URL list (``API_URLCONF``: the patterns ``ROOT_URLCONF`` includes as
they are; 11 instead of 24 microseconds a call). Views, error handling and Django's request signals
(connection housekeeping) are the same. The Django test client always uses the full stack;
tests/backoffice/test_handlers.py checks this dispatcher itself.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application


class ApiWSGIHandler(WSGIHandler):
    """A WSGIHandler built with ``settings.API_MIDDLEWARE`` instead of ``settings.MIDDLEWARE``."""

    def load_middleware(self, is_async=False):
        # Django's loader reads settings.MIDDLEWARE; swap it for the duration of the load (once, at start-up,
        # before any request is served) rather than re-implement the loader.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def get_response(self, request):
        request.urlconf = settings.API_URLCONF  # what a middleware may set; Django resolves against it
        return super().get_response(request)


def dispatching_application():
    """The WSGI callable: API paths to the lean handler, everything else to the full one."""
    site = get_wsgi_application()  # sets Django up
    api = ApiWSGIHandler()
    prefix = settings.API_PATH_PREFIX

    def application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(prefix):
            return api(environ, start_response)
        return site(environ, start_response)

    application.site_handler, application.api_handler = site, api
    return application
