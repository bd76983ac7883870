"""The agent tree and the per-node flags (django-guardian permissions in direct-FK tables)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from guardian.managers import GroupObjectPermissionManager, UserObjectPermissionManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager, ScopedQuerySet
from players.choices import (
    AgentFlag,
    AgentLevel,
)
from players.querysets import (
    AgentQuerySet,
)


class Agent(models.Model):
    """A node of the agent hierarchy. Players hang off any node; limits bound what it can give them."""

    code = models.SlugField(max_length=32, unique=True, help_text="Short public code, e.g. MA-NORTH.")
    name = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False)
    level = models.PositiveSmallIntegerField(choices=AgentLevel.choices, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="agent_node"
    )
    currency = CurrencyField(default="USD")
    credit_limit = MoneyField(default=0, help_text="Most credit this node may extend to its players in total.")
    max_wager = MoneyField(default=0, help_text="Largest single wager this node may allow a player.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(AgentQuerySet)()

    class Meta:
        ordering = ["path"]
        permissions = [(flag.value, flag.label) for flag in AgentFlag]
        constraints = [
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0), name="agent_credit_limit_gte_0"),
            models.CheckConstraint(condition=models.Q(max_wager__gte=0), name="agent_max_wager_gte_0"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="agent_level_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("players:agent", args=[self.pk])

    def is_descendant_of(self, other: Agent) -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk


class AgentUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian table for per-node agent flags (indexed, no generic object_pk cast)."""

    content_object = models.ForeignKey(Agent, on_delete=models.CASCADE)

    # guardian's manager (assign_perm, remove_perm) with the scoping queryset: operators only
    objects = UserObjectPermissionManager.from_queryset(ScopedQuerySet)()


class AgentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Agent, on_delete=models.CASCADE)

    objects = GroupObjectPermissionManager.from_queryset(ScopedQuerySet)()
