"""Reads of the players app that are more than a restricted queryset: they take the user who asks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from backoffice.querysets import agent_for_user

#: Who may close a follow-up (``NoteDoneView``: "change" on notes), and so who may be assigned one.
FOLLOW_UP_PERMISSION = ("players", "change_note")


def follow_up_assignees():
    """Active operator staff who may close a follow-up: superusers and holders of ``players.change_note``
    (through their role or directly). Agents are never assignees."""
    app_label, codename = FOLLOW_UP_PERMISSION
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    holders = Q(is_superuser=True) | Q(groups__permissions__in=perm) | Q(user_permissions__in=perm)
    users = get_user_model().objects.filter(is_active=True, agent_node__isnull=True)
    return users.filter(pk__in=users.filter(holders).values("pk")).order_by("username")


def follow_up_assignee_choices(user):
    """The Assignee dropdown of a note for ``user``: the assignees for operator staff (every operator may
    see who acts, ``UserQuerySet.can_name``), no dropdown at all for agents (they never see staff logins)."""
    if not getattr(user, "is_authenticated", False) or agent_for_user(user) is not None:
        return None
    return follow_up_assignees()
