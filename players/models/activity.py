"""What happened to a player: the timeline every module writes to, and staff notes with follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.money import MoneyField
from backoffice.querysets import ScopedManager
from players.choices import (
    NoteChannel,
)
from players.models.accounts import Player
from players.querysets import (
    NoteQuerySet,
    TimelineEventQuerySet,
)
from players.visibility import Visibility


class TimelineEvent(models.Model):
    """One thing that happened to a player, from any module (the extension point is
    ``players.services.timeline_record``; see docs/players.md).

    ``kind`` is namespaced ``<module>.<event>``; ``module`` repeats the prefix so that "everything from
    the cashier" is an index range. Read newest first with keyset pagination on (occurred_at, id): the
    (player, occurred_at, id) and (player, module, occurred_at, id) indexes serve any page of a player
    with millions of events in a few index reads.
    """

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="+", db_index=False)
    occurred_at = models.DateTimeField()
    module = models.CharField(max_length=32)
    kind = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    amount = MoneyField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_constraint=False, db_index=False)  # timeline_actor_idx
    integration = models.CharField(max_length=64, blank=True)
    ref_type = models.CharField(max_length=64, blank=True)
    ref_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(null=True, blank=True)

    objects = ScopedManager.from_queryset(TimelineEventQuerySet)()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["player", "-occurred_at", "-id"], name="timeline_player_idx"),
            models.Index(fields=["player", "module", "-occurred_at", "-id"], name="timeline_player_module_idx"),
            # Only events a person caused: the bulk (rounds, integrations' postings) has no actor and so costs
            # no entry here; a deleted login's SET NULL still finds its events through it.
            models.Index(fields=["actor"], name="timeline_actor_idx", condition=models.Q(actor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"


class Note(models.Model):
    """A note or a logged contact with the player; with a follow-up date it joins the follow-ups queue."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="notes")
    channel = models.CharField(max_length=16, choices=NoteChannel.choices, default=NoteChannel.NOTE)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    follow_up_on = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_notes")
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.ALL,
                                  help_text="Staff-only notes are never shown to agents.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(NoteQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["player", "-created_at"], name="note_player_idx"),
            models.Index(fields=["follow_up_on"], name="note_follow_up_open_idx",
                         condition=models.Q(follow_up_on__isnull=False, follow_up_done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.player_id} · {self.created_at:%Y-%m-%d}" if self.created_at \
            else self.get_channel_display()

    def get_absolute_url(self) -> str:
        return reverse("players:player_notes", args=[self.player_id])
