"""Scoping rules of the players app (see backoffice.querysets for the mechanism).

:class:`PlayerOwnedQuerySet` is the one rule for "rows that belong to a player": an agent sees the rows
of the players in its sub-tree. Every app's player-owned model (KYC history, limits, notes, the
timeline, ledger rows, payments, rounds ...) builds its queryset on it and names the lookup from its
rows to the player in ``player_lookup``.

Some rows of a visible player are still operator business: the *visibility* of a timeline event (by
its kind) or a note (its own field) says so, and the agent scope leaves them out (see
``players.visibility``). Nothing filters them in templates.
"""

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Now

from backoffice.querysets import ScopedQuerySet, is_operator_staff
from players.visibility import STAFF_SUMMARY_KEY, Visibility, timeline_kinds_hidden_from_agents


class AgentQuerySet(ScopedQuerySet):
    # An agent sees its own node and everything below (never its parent or a sibling's tree); it changes
    # only nodes below its own, and only when it holds the "add accounts" flag.
    agent_actions = {"view": None, "change": "players.add_accounts", "add": "players.add_accounts"}

    def agent_scope(self, agent, action):
        below = Q(path__startswith=agent.path)
        return below if action == "view" else below & ~Q(pk=agent.pk)

    def subtree_of(self, agent):
        return self.filter(path__startswith=agent.path)


def players_below(agent, player_lookup: str = "player") -> Q:
    """Rows whose player (reached through ``player_lookup``; "" for players themselves) is in ``agent``'s tree.

    ``<lookup>agent_id IN (SELECT id FROM agent WHERE path LIKE '<path>%')``: the player's agent index and
    the path's varchar_pattern_ops index, no join per row.
    """
    # Imported here: players.models imports its querysets.
    from players.models import Agent  # noqa: PLC0415

    prefix = f"{player_lookup}__" if player_lookup else ""
    return Q(**{f"{prefix}agent__in": Agent.objects.subtree_of(agent).values("pk")})


class PlayerOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one player: the player's scope (agents read those of their sub-tree)."""

    agent_actions = {"view": None}
    #: the lookup from a row to its player
    player_lookup = "player"

    def agent_scope(self, agent, action):
        return players_below(agent, self.player_lookup)


class PlayerQuerySet(PlayerOwnedQuerySet):
    agent_actions = {
        "view": None,
        "add": "players.add_accounts",
        "change": "players.add_accounts",  # the profile; the test-account mark is operators' (forms, service)
        "status": "players.change_status",
        "limit": "players.set_player_limits",
        "move": "players.move_players",
    }
    player_lookup = ""

    def active(self):
        return self.filter(status="active")

    def real(self):
        """Excludes test accounts (GLI-19 A.2.5): what reports count."""
        return self.filter(is_test=False)

    @staticmethod
    def _exclusions_in_force(at=None):
        """rule: rg.exclusion_active, as a subquery on the outer player (``at`` None: the database's now)."""
        # Imported here: players.models imports its querysets.
        from players.models import RgExclusion  # noqa: PLC0415

        at = Now() if at is None else at
        return RgExclusion.objects.filter(player=OuterRef("pk"), starts_at__lte=at).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at))

    def not_excluded(self, at=None):
        """Players with no time-out or self-exclusion in force: the only ones marketing may reach (segments,
        their exports, ``players_marketable``). One NOT EXISTS on the exclusions' player index."""
        return self.filter(~Exists(self._exclusions_in_force(at)))

    def with_exclusion(self):
        """Annotates ``rg_exclusion``: the kind of exclusion in force now ("self_exclusion" before "timeout"
        when both are), else None. For the status badge of lists (one subquery, no query per row)."""
        return self.annotate(rg_exclusion=Subquery(self._exclusions_in_force().order_by("kind").values("kind")[:1]))


class PlayerChildQuerySet(PlayerOwnedQuerySet):
    """Rows that belong to one player (KYC history, limits, exclusions, usage): the player's scope."""


class TimelineEventQuerySet(PlayerOwnedQuerySet):
    def agent_scope(self, agent, action):
        # Visibility by kind: AML events and staff-only notes are never an agent's (tipping off).
        return super().agent_scope(agent, action) & ~Q(kind__in=timeline_kinds_hidden_from_agents())

    def for_reader(self, user):
        """The events as ``user`` reads them: ``text`` (the summary; operator staff get the staff-only
        summary when there is one) and ``by`` (who acted: the login for staff; for an agent its own login,
        else "agent" or "staff"). Agents' rows never load ``data``, where the staff-only part lives.
        """
        if is_operator_staff(user):
            staff_text = Coalesce(KT(f"data__{STAFF_SUMMARY_KEY}"), F("summary"), output_field=CharField())
            return self.annotate(text=staff_text, by=F("actor__username"))
        return self.defer("data").annotate(
            text=F("summary"),
            by=Case(When(actor_id=user.pk, then=F("actor__username")),
                    When(actor__agent_node__isnull=False, then=Value("agent")), default=Value("staff"),
                    output_field=CharField()))


class NoteQuerySet(PlayerOwnedQuerySet):
    agent_actions = {"view": None, "add": "players.add_accounts", "change": "players.add_accounts"}

    def agent_scope(self, agent, action):
        return super().agent_scope(agent, action) & ~Q(visibility=Visibility.STAFF)

    def follow_ups_open(self):
        return self.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)


class PlayerSegmentQuerySet(ScopedQuerySet):
    """Static tag memberships: marketing data like segments, so agents do not see them."""


class SegmentQuerySet(ScopedQuerySet):
    # Segments are operator marketing data: agents do not see them.
    agent_actions = {}
