"""The permission step of every generic view: 403 when the action is not allowed at all, 404 outside scope."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import reverse

MAX_PER_PAGE = 500


class ObjectPermissionMixin:
    queryset = None
    action = "view"
    #: (model, action) pairs the view needs besides its own, e.g. ((Segment, "change"),) to tag a player:
    #: without any of them the answer is 403, as for the view's own action.
    also_requires: tuple[tuple[type[models.Model], str], ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.restrict_to(request.user, pk=kwargs.get("pk"))
        return super().dispatch(request, *args, **kwargs)

    def restrict_to(self, user, pk=None) -> None:
        """403 when ``user`` may not perform the action at all; else the queryset becomes its rows.

        An id (``pk``) outside the user's view scope answers like a missing one (404); 403 only says "you may not
        do this" about an object the user can see, or on a model it cannot see at all (every id alike).
        """
        base = type(self).queryset.all()
        if not base.can(user, self.get_action()) or not all(
                m._default_manager.all().can(user, a) for m, a in self.also_requires):
            if pk is not None and base.can(user, "view"):
                get_object_or_404(base.restrict(user, "view"), pk=pk)
            raise PermissionDenied
        self.queryset = base.restrict(user, self.get_action())

    def get_action(self) -> str:
        return self.action

    @classmethod
    def allows(cls, user, kwargs: dict) -> bool:
        """Whether ``dispatch`` lets ``user`` in (no login page, no 403) for a URL with ``kwargs``.

        Links and buttons to the view are shown only then (``backoffice.links.url_allowed``).
        """
        if not getattr(user, "is_authenticated", False):
            return False
        view = cls()
        view.kwargs = kwargs
        return cls.queryset.all().can(user, view.get_action()) and all(
            m._default_manager.all().can(user, a) for m, a in cls.also_requires)

    @property
    def model(self):
        return type(self).queryset.model

    def get_object(self):
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def object_actions(self, obj) -> list[dict]:
        """Buttons for the detail page: (label, url name, action), shown only when permitted on ``obj``."""

        buttons = []
        for label, url, action, style in getattr(self, "buttons", []):
            if type(self).queryset.all().permits(self.request.user, obj, action):
                buttons.append({"label": label, "url": reverse(url, args=[obj.pk]), "style": style})
        return buttons
