"""Segments (tags and marketing lists) and players' membership in them."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone

from backoffice.money import MoneyField
from backoffice.querysets import ScopedManager
from players.choices import (
    SegmentKind,
)
from players.models.accounts import Player
from players.querysets import (
    PlayerSegmentQuerySet,
    SegmentQuerySet,
)


class Segment(models.Model):
    """A group of players: a static tag (members added by hand) or a rule evaluated as a queryset.

    Rule fields left empty do not filter. ``member_count`` is refreshed by a periodic task and on save,
    so lists never count millions of rows per page view; the detail page counts live.
    """

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=8, choices=SegmentKind.choices, default=SegmentKind.STATIC)
    description = models.CharField(max_length=300, blank=True)
    countries = models.CharField(max_length=200, blank=True, help_text="Comma-separated ISO codes, e.g. GB,IE.")
    vip_min = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name="VIP level from")
    vip_max = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name="VIP level to")
    lifetime_deposits_min = MoneyField(null=True, blank=True, help_text="In each player's own currency.")
    active_within_days = models.PositiveIntegerField(null=True, blank=True,
                                                     help_text="Last activity within this many days.")
    inactive_for_days = models.PositiveIntegerField(null=True, blank=True,
                                                    help_text="No activity for at least this many days.")
    registered_from = models.DateField(null=True, blank=True)
    registered_to = models.DateField(null=True, blank=True)
    member_count = models.PositiveIntegerField(default=0, editable=False)
    counted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(SegmentQuerySet)()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("players:segment", args=[self.pk])

    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]

    def players(self, queryset=None):
        """The members as a Player queryset (pass a restricted one to scope it).

        A player on a time-out or self-excluded is no member of any segment while the exclusion is in force
        (no marketing: the promise of the exclusion page), whatever the rules or tags say; so neither the
        segment's page, its counts, nor the player list filtered by it (and its exports) show them.
        """
        qs = (Player.objects.all() if queryset is None else queryset).not_excluded()
        if self.kind == SegmentKind.STATIC:
            return qs.filter(segments=self)
        now = timezone.now()
        if self.country_list():
            qs = qs.filter(country__in=self.country_list())
        if self.vip_min is not None:
            qs = qs.filter(vip_level__gte=self.vip_min)
        if self.vip_max is not None:
            qs = qs.filter(vip_level__lte=self.vip_max)
        if self.lifetime_deposits_min is not None:
            qs = qs.filter(lifetime_deposits__gte=self.lifetime_deposits_min)
        if self.active_within_days is not None:
            qs = qs.filter(last_activity_at__gte=now - timedelta(days=self.active_within_days))
        if self.inactive_for_days is not None:
            cutoff = now - timedelta(days=self.inactive_for_days)
            qs = qs.filter(models.Q(last_activity_at__lt=cutoff) | models.Q(last_activity_at__isnull=True))
        if self.registered_from is not None:
            qs = qs.filter(created_at__date__gte=self.registered_from)
        if self.registered_to is not None:
            qs = qs.filter(created_at__date__lte=self.registered_to)
        return qs


class PlayerSegment(models.Model):
    """A player's membership of a static tag (the through table of ``Player.segments``), scoped like segments."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE)
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE)

    objects = ScopedManager.from_queryset(PlayerSegmentQuerySet)()

    class Meta:
        db_table = "players_player_segments"  # the table Django created for the implicit through model
        unique_together = [("player", "segment")]

    def __str__(self) -> str:
        return f"{self.player_id} in {self.segment_id}"
