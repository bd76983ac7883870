"""Player accounts and their KYC history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from players.choices import (
    KycStatus,
    PlayerStatus,
    SegmentKind,
)
from players.models.agents import Agent
from players.querysets import (
    PlayerChildQuerySet,
    PlayerQuerySet,
)
from players.rg_profiles import profile_for_country
from players.search import search_text


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
    kyc_status = models.CharField("KYC status", max_length=16, choices=KycStatus.choices, default=KycStatus.UNVERIFIED)
    vip_level = models.PositiveSmallIntegerField("VIP level", default=0)
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="players")
    registration_source = models.CharField(max_length=64, blank=True)
    is_test = models.BooleanField(default=False, help_text="Test accounts are excluded from reports.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    # Pay-per-head limits, bounded by the agent node's (see players.services.player_credit_set).
    credit_limit = MoneyField(null=True, blank=True, help_text="Credit line for PPH play; empty: none.")
    max_wager = MoneyField(null=True, blank=True, help_text="Largest single wager; empty: the agent's.")
    reality_check_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Reality-check reminder interval; empty: the market profile's default.")
    lifetime_deposits = MoneyField(default=0, editable=False, help_text="Sum of deposits, in the player's currency.")
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Login-lockout hook for the player-facing site (players.services.player_login_failed).
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    segments = models.ManyToManyField("Segment", blank=True, related_name="static_members", through="PlayerSegment",
                                      limit_choices_to={"kind": SegmentKind.STATIC})

    objects = ScopedManager.from_queryset(PlayerQuerySet)()

    class Meta:
        ordering = ["-id"]
        permissions = [("limit_player", "Set responsible-gambling and wager limits"),
                       ("kyc_player", "Change KYC status"),
                       ("status_player", "Suspend, reactivate or close an account"),
                       ("move_player", "Move a player to another agent")]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="player_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="player_username_ci_unique"),
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0) | models.Q(credit_limit__isnull=True),
                                   name="player_credit_limit_gte_0"),
            models.CheckConstraint(condition=models.Q(max_wager__gte=0) | models.Q(max_wager__isnull=True),
                                   name="player_max_wager_gte_0"),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="player_status_idx"),
            models.Index(fields=["agent", "-id"], name="player_agent_idx"),
            # Country (+ status) is the usual filter pair: the list's page and its bounded count are index scans.
            models.Index(fields=["country", "status", "-id"], name="player_country_status_idx"),
            # The list's search: partial username, names and e-mail in one trigram index (players/search.py).
            GinIndex(OpClass(search_text(), name="gin_trgm_ops"), name="player_search_trgm_idx"),
        ]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        return reverse("players:player", args=[self.pk])


    @property
    def age(self) -> int | None:
        if self.date_of_birth is None:
            return None

        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    @property
    def rg_profile(self):
        return profile_for_country(self.country)


class KycEvent(models.Model):
    """One KYC status change, kept forever: the player's verification history."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="kyc_events")
    from_status = models.CharField(max_length=16, choices=KycStatus.choices)
    to_status = models.CharField(max_length=16, choices=KycStatus.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(PlayerChildQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["player", "-created_at"], name="kyc_event_player_idx")]

    def __str__(self) -> str:
        return f"{self.player_id}: {self.from_status} > {self.to_status}"
