"""Request plumbing: request id and client IP for logs and audit rows; two-factor enforcement."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
import uuid

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from backoffice.context import client_ip_var, request_id_var
from backoffice.querysets import agent_for_user

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@functools.lru_cache(maxsize=4096)  # every request parses one; callers (providers, proxies) are few
def _canonical_ip(value: str | None) -> str | None:
    """The canonical text of an IP address (IPv6 compressed), or None if ``value`` is not one."""
    try:
        return ipaddress.ip_address((value or "").strip()).compressed
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the N-th from the right of X-Forwarded-For behind N proxies.

    Used for audit rows and (AXES_CLIENT_IP_CALLABLE) for login lockout. Malformed forwarded values are
    ignored rather than trusted or stored.
    """
    proxies = settings.PROXY_COUNT
    if proxies:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= proxies:
            forwarded = _canonical_ip(chain[-proxies])
            if forwarded:
                return forwarded
    return _canonical_ip(request.META.get("REMOTE_ADDR"))


@contextlib.contextmanager
def request_context(request):
    """Bind the request's id (a sane incoming X-Request-ID, or a new one) and client IP for log lines
    (``backoffice.logging``) and audit rows while the request is served; yields the id. One implementation for the
    middleware below and the WSGI entry point's plain lane (``backoffice.handlers``): ``request`` needs only
    ``META``."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")  # request.headers would build a dict of them all
    rid = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
    t1, t2 = request_id_var.set(rid), client_ip_var.set(client_ip(request))
    try:
        yield rid
    finally:
        request_id_var.reset(t1)
        client_ip_var.reset(t2)


class RequestContextMiddleware:
    """Gives every request an id (or keeps a sane incoming X-Request-ID) and binds it for logs and audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request) as rid:
            request.request_id = rid
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


def two_factor_required(user) -> bool:
    """Operator staff must pass TOTP; agents only once they have enrolled a device themselves."""
    if not getattr(user, "is_authenticated", False):
        return False
    if agent_for_user(user) is None:
        return settings.REQUIRE_2FA_FOR_STAFF

    return user_has_device(user, confirmed=True)


class TwoFactorRequiredMiddleware:
    """Sends a logged-in user who still owes a second factor to the two-factor page, and nowhere else."""

    EXEMPT_PREFIXES = ("/static/", "/healthz", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and request.path not in {reverse("two_factor"), reverse("logout")}
            and not user.is_verified()
            and two_factor_required(user)
        ):
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
