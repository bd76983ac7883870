"""Players and the agent hierarchy of the pay-per-head business.

Agent tree: master agent > agent > sub-agent, each node optionally linked to one login user. A node's
``path`` is the materialized path of primary keys (``/3/17/42/``), indexed for prefix matching, so a
sub-tree is one indexed ``LIKE '/3/17/%'``. Per-node flags (manage lines, add accounts ...) are
django-guardian object permissions held by the node's user on the node itself, stored in direct-FK
permission tables (``AgentUserObjectPermission``) rather than guardian's generic table.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Lower
from guardian.managers import GroupObjectPermissionManager, UserObjectPermissionManager
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager, ScopedQuerySet
from players.choices import (
    AgentFlag,
    AgentLevel,
    ExclusionKind,
    KycStatus,
    LimitKind,
    LimitPeriod,
    LimitSource,
    NoteChannel,
    PlayerStatus,
    SegmentKind,
)
from players.querysets import (
    AgentQuerySet,
    NoteQuerySet,
    PlayerChildQuerySet,
    PlayerQuerySet,
    PlayerSegmentQuerySet,
    SegmentQuerySet,
    TimelineEventQuerySet,
)
from players.search import search_text
from players.visibility import Visibility


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

    # guardian's manager (assign_perm, remove_perm) with the scoping queryset: operators only
    objects = UserObjectPermissionManager.from_queryset(ScopedQuerySet)()


class AgentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Agent, on_delete=models.CASCADE)

    objects = GroupObjectPermissionManager.from_queryset(ScopedQuerySet)()


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
        from django.urls import reverse

        return reverse("players:player", args=[self.pk])


    @property
    def age(self) -> int | None:
        if self.date_of_birth is None:
            return None
        from django.utils import timezone

        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    @property
    def rg_profile(self):
        from players.rg_profiles import profile_for_country

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
        from django.urls import reverse

        return reverse("players:player_notes", args=[self.player_id])


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
        from django.urls import reverse

        return reverse("players:segment", args=[self.pk])

    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]

    def players(self, queryset=None):
        """The members as a Player queryset (pass a restricted one to scope it)."""
        from datetime import timedelta

        from django.utils import timezone

        qs = Player.objects.all() if queryset is None else queryset
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
