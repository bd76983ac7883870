"""Whether a user may follow a link: pages show a link or a button only when its target lets the user in.

One rule for every link of the product (the ``{% link %}`` and ``{% button %}`` template tags, the
``allowed`` filter and the linkified columns of every table, ``backoffice.tables.restrict_columns``):
the target URL is resolved to its view and asked what its ``dispatch`` would ask, ``can(user, action)``
on the view's queryset (``ObjectPermissionMixin``). An object outside the user's scope still answers
404 there, exactly like an object that does not exist, so links are not checked row by row.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve


def url_allowed(user, url: str | None) -> bool:
    """False when following ``url`` would answer 403 to ``user``; True for pages outside the generic views."""
    if not url:
        return False
    parts = urlsplit(str(url))
    if parts.scheme or parts.netloc:
        return True  # another site: not ours to judge
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return True
    view_class = getattr(match.func, "view_class", None)
    allows = getattr(view_class, "allows", None)
    return True if allows is None else allows(user, match.kwargs)
