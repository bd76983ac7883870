"""Players and the agent hierarchy of the pay-per-head business.

Agent tree: master agent > agent > sub-agent, each node optionally linked to one login user. A node's
``path`` is the materialized path of primary keys (``/3/17/42/``), indexed for prefix matching, so a
sub-tree is one indexed ``LIKE '/3/17/%'``. Per-node flags (manage lines, add accounts ...) are
django-guardian object permissions held by the node's user on the node itself, stored in direct-FK
permission tables (``AgentUserObjectPermission``) rather than guardian's generic table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from players.choices import AgentFlag, AgentLevel, KycStatus, PlayerStatus
from players.querysets import AgentQuerySet, PlayerQuerySet


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
        from django.urls import reverse

        return reverse("players:agent", args=[self.pk])

    def is_descendant_of(self, other: Agent) -> bool:
        return self.path.startswith(other.path) and self.pk != other.pk


class AgentUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian table for per-node agent flags (indexed, no generic object_pk cast)."""

    content_object = models.ForeignKey(Agent, on_delete=models.CASCADE)


class AgentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Agent, on_delete=models.CASCADE)


class Player(models.Model):
    """A player account (casino wallet player or PPH credit player). Not a login of this console."""

    username = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    country = models.CharField(max_length=2, help_text="ISO-3166 alpha-2")
    currency = CurrencyField()
    status = models.CharField(max_length=16, choices=PlayerStatus.choices, default=PlayerStatus.ACTIVE)
    kyc_status = models.CharField(max_length=16, choices=KycStatus.choices, default=KycStatus.UNVERIFIED)
    vip_level = models.PositiveSmallIntegerField(default=0)
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="players")
    registration_source = models.CharField(max_length=64, blank=True)
    is_test = models.BooleanField(default=False, help_text="Test accounts are excluded from reports.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(PlayerQuerySet)()

    class Meta:
        ordering = ["-id"]
        permissions = [("limit_player", "Set responsible-gambling and wager limits")]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="player_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["status", "-id"], name="player_status_idx")]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("players:player", args=[self.pk])
