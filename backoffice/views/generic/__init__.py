"""Declarative generic views: every page of an app is a subclass with a few attributes.

Each view names a ``queryset`` (whose manager is a ``ScopedQuerySet``) and an ``action``. ``dispatch``
sends anonymous users to the login page, answers 403 when the user may not perform the action at all
(404 instead when the URL names an object outside what the user may view: an id outside one's scope is
indistinguishable from a missing id), and otherwise replaces the queryset with
``queryset.restrict(user, action)``, so a detail, edit or action on an object outside the user's scope
is a 404: it looks exactly like an object that does not exist.

Related rows on a detail page (a game's rounds, a withdrawal's AML flags, a player's notes) are read
only through :meth:`ObjectDetailView.child_rows` / :meth:`ObjectDetailView.child_table` (or declared in
``related_tables``), which restrict them with ``restrict(user, "view")`` and return None when the user
may view no row of that model, so the template leaves the card out entirely. A related manager
(``obj.flags.all()``) in a view is a review finding, like an unrestricted ``Model.objects``.
"""

from .action import ActionView
from .base import MAX_PER_PAGE, ObjectPermissionMixin
from .detail import ObjectDetailView, RelatedTable
from .edit import ObjectEditView
from .lists import ObjectListView

__all__ = [
    'MAX_PER_PAGE',
    'ActionView',
    'ObjectDetailView',
    'ObjectEditView',
    'ObjectListView',
    'ObjectPermissionMixin',
    'RelatedTable',
]
