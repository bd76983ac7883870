"""The one permission-scoping mechanism: ``Model.objects.restrict(user, action)``.

Every model's default manager is built from :class:`ScopedQuerySet`. Views, exports, dropdowns,
reports and commands that act for a user call ``restrict()``; nothing else decides who sees what.

Who may do what:

* **Superusers** see everything.
* **Operator staff** (any user without an agent node) need the model permission
  ``<app>.<action>_<model>``, granted through their role's Django group. With it they see every row;
  without it, none.
* **Agents** (users linked to a ``players.Agent`` node) never use model permissions. A model opts in
  to agents by listing the actions they may perform in ``agent_actions``: each action maps to the
  agent flag (a django-guardian object permission held on the agent's *own* node) that it requires,
  or to ``None`` when being an agent is enough. Rows are then limited to the agent's sub-tree by
  :meth:`ScopedQuerySet.agent_scope`, which each model's queryset defines (usually a filter on the
  agent's materialized path). Models that do not opt in are invisible to agents.

``can(user, action)`` answers "may this user perform this action on any row at all?" (views answer
403 when not); ``restrict(user, action)`` returns the rows it may be performed on (views answer 404
for anything outside).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q


def permission_name(model: type[models.Model], action: str) -> str:
    """``cashier.approve_withdrawal`` for (Withdrawal, "approve")."""
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def agent_for_user(user):
    """The agent node linked to ``user``, or None for operator staff and anonymous users.

    Cached on the user object for the request (the reverse one-to-one accessor caches too).
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_agent_node_cache"):
        try:
            user._agent_node_cache = user.agent_node
        except ObjectDoesNotExist:
            user._agent_node_cache = None
    return user._agent_node_cache


def is_operator_staff(user) -> bool:
    """Whether ``user`` is operator staff (a signed-in, active login with no agent node; superusers too).

    Staff-only data (free text staff type, hold reasons, who acted, tags) is shown to them alone; every
    reader of such data asks this, never a template.
    """
    return bool(getattr(user, "is_authenticated", False) and user.is_active and agent_for_user(user) is None)


def agent_has_flag(user, agent, flag: str) -> bool:
    """Whether the agent user holds ``flag`` (e.g. ``players.add_accounts``) on its own node."""
    return agent.is_active and user.has_perm(flag, agent)


class ScopedQuerySet(models.QuerySet):
    #: action -> agent flag required on the agent's own node (None: any agent). Empty: no agent access.
    agent_actions: dict[str, str | None] = {}

    def agent_scope(self, agent, action: str) -> Q:
        """The rows of ``agent``'s sub-tree on which ``action`` may be performed. Override per model."""
        raise NotImplementedError(f"{self.model.__name__} lists agent_actions but defines no agent_scope().")

    def can(self, user, action: str = "view") -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.is_superuser:
            return True
        agent = agent_for_user(user)
        if agent is None:
            return user.has_perm(permission_name(self.model, action))
        if action not in self.agent_actions or not agent.is_active:
            return False
        flag = self.agent_actions[action]
        return flag is None or agent_has_flag(user, agent, flag)

    def restrict(self, user, action: str = "view") -> ScopedQuerySet:
        if not self.can(user, action):
            return self.none()
        agent = agent_for_user(user)
        if user.is_superuser or agent is None:
            return self.all()
        return self.filter(self.agent_scope(agent, action))

    def permits(self, user, obj, action: str = "view") -> bool:
        """Whether ``obj`` is among ``restrict(user, action)``.

        Operators' grants are per model, so only agents cost a query (their rules are per row).
        """
        if not self.can(user, action):
            return False
        if user.is_superuser or agent_for_user(user) is None:
            return True
        return self.restrict(user, action).filter(pk=obj.pk).exists()

    def can_name(self, user) -> bool:
        """May ``user`` see rows of this model *named* in other rows (a table column, a detail field)?

        By default exactly when it may view them. A model whose rows are also labels (the login that
        acted: "By op7") may say more.
        """
        return self.can(user, "view")

    def names(self, user, obj) -> bool:
        """May ``user`` see ``obj`` named in another row (see :meth:`can_name`)?"""
        return self.permits(user, obj, "view")


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    """Default manager for every model of the product; subclass the queryset per model."""
