"""The one rule for "fragment or full page" under htmx, and the ``Vary`` header that goes with it.

A page that htmx swaps into place answers its fragment to an htmx request and the whole page otherwise.
Two htmx requests still want the whole page: a boosted link (``HX-Boosted``: htmx swaps the body itself)
and a history restore (``HX-History-Restore-Request``: the Back button found no cached snapshot, we keep
none, and htmx replaces the whole body with the answer). Both headers decide the answer, so caches must
key on them: :func:`vary_on_htmx` adds them to ``Vary`` without dropping what is already there.
"""

from __future__ import annotations

from django.utils.cache import patch_vary_headers

VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def wants_partial(request) -> bool:
    """Whether to answer only the fragment: an htmx request that is neither boosted nor a history restore."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def vary_on_htmx(response):
    """Add the htmx request headers to ``Vary`` (keeping any already there) and return the response."""
    patch_vary_headers(response, VARY_HEADERS)
    return response
