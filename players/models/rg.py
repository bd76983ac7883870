"""Responsible gambling: limits (with cooling-off and confirmation), exclusions, hourly usage."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from backoffice.money import MoneyField
from backoffice.querysets import ScopedManager
from players.choices import (
    ExclusionKind,
    LimitKind,
    LimitPeriod,
    LimitSource,
)
from players.models.accounts import Player
from players.querysets import (
    PlayerChildQuerySet,
)


class RgLimit(models.Model):
    """A responsible-gambling limit of one kind and period, set by the player or imposed by the operator.

    ``amount`` is in force now (NULL: no limit). A player's increase (or removal) waits in
    ``pending_amount``/``pending_remove`` until ``pending_from`` (24 h cooling-off) and, when the market
    profile requires it, until the player reaffirms it (``pending_confirmed_at``). Decreases replace
    ``amount`` at once and drop any pending increase. Several limits may apply at once: the lowest wins.
    """

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="rg_limits")
    kind = models.CharField(max_length=16, choices=LimitKind.choices)
    period = models.CharField(max_length=8, choices=LimitPeriod.choices)
    source = models.CharField(max_length=16, choices=LimitSource.choices, default=LimitSource.PLAYER)
    amount = MoneyField(null=True, blank=True)
    pending_amount = MoneyField(null=True, blank=True)
    pending_remove = models.BooleanField(default=False)
    pending_from = models.DateTimeField(null=True, blank=True)
    pending_needs_confirmation = models.BooleanField(default=False)
    pending_confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager.from_queryset(PlayerChildQuerySet)()

    class Meta:
        ordering = ["kind", "period", "source"]
        constraints = [
            models.UniqueConstraint(fields=["player", "kind", "period", "source"], name="rg_limit_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0) | models.Q(amount__isnull=True),
                                   name="rg_limit_amount_gte_0"),
            models.CheckConstraint(condition=models.Q(pending_amount__gte=0) | models.Q(pending_amount__isnull=True),
                                   name="rg_limit_pending_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_period_display()} ({self.source})"

    @property
    def has_pending(self) -> bool:
        return self.pending_from is not None

    def pending_matured(self, at) -> bool:
        """The pending increase is in force at ``at``: cooling-off over and, if required, reaffirmed."""
        return limit_pending_matured(self.pending_from, self.pending_needs_confirmation, self.pending_confirmed_at, at)

    def effective_amount(self, at):
        """The amount in force at ``at`` (None: no limit)."""
        return limit_effective_amount(self.amount, self.pending_amount, self.pending_remove, self.pending_from,
                                      self.pending_needs_confirmation, self.pending_confirmed_at, at)


def limit_pending_matured(pending_from, needs_confirmation, confirmed_at, at) -> bool:
    if pending_from is None or at < pending_from:
        return False
    return not needs_confirmation or confirmed_at is not None


def limit_effective_amount(amount, pending_amount, pending_remove, pending_from, needs_confirmation, confirmed_at, at):
    """The one rule for "which amount is in force" (used on model rows and on rg_check's raw rows)."""
    if limit_pending_matured(pending_from, needs_confirmation, confirmed_at, at):
        return None if pending_remove else pending_amount
    return amount


class RgExclusion(models.Model):
    """A time-out or self-exclusion. In force from ``starts_at`` to ``ends_at`` (NULL: indefinite).

    There is deliberately no service that ends one early: staff cannot lift it (GLI-19 A.3.8, UKGC).
    """

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="rg_exclusions")
    kind = models.CharField(max_length=16, choices=ExclusionKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(PlayerChildQuerySet)()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["player", "-ends_at"], name="rg_exclusion_player_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="rg_exclusion_ends_after_start"),
        ]

    def __str__(self) -> str:
        until = self.ends_at.strftime("%Y-%m-%d %H:%M") if self.ends_at else "indefinite"
        return f"{self.get_kind_display()} until {until}"

    def is_active(self, at) -> bool:
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


class RgUsage(models.Model):
    """Per player and hour: deposits, wagers and wins, the running totals RG limits are checked against.

    Written by ``rg_usage_record`` with one ``INSERT ... ON CONFLICT DO UPDATE`` (an upsert on the
    (player, hour) key): cheap enough for every wallet bet. A window sum reads at most 24/168/744 rows
    from the primary-key-ordered index. Rolling windows start at the top of the hour: the check counts up
    to 59 minutes more than the exact window, never less (the safe side).
    """

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField()
    deposits = MoneyField(default=0)
    wagers = MoneyField(default=0)
    wins = MoneyField(default=0)

    objects = ScopedManager.from_queryset(PlayerChildQuerySet)()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["player", "hour"], name="rg_usage_player_hour")]

    def __str__(self) -> str:
        return f"{self.player_id} @ {self.hour:%Y-%m-%d %H}:00"
