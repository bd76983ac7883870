"""Scoping rules of the players app (see backoffice.querysets for the mechanism)."""

from django.db.models import Q

from backoffice.querysets import ScopedQuerySet


class AgentQuerySet(ScopedQuerySet):
    # An agent sees its own node and everything below; it changes only nodes below its own, and only
    # when it holds the "add accounts" flag.
    agent_actions = {"view": None, "change": "players.add_accounts", "add": "players.add_accounts"}

    def agent_scope(self, agent, action):
        below = Q(path__startswith=agent.path)
        return below if action == "view" else below & ~Q(pk=agent.pk)

    def subtree_of(self, agent):
        return self.filter(path__startswith=agent.path)


class PlayerQuerySet(ScopedQuerySet):
    agent_actions = {
        "view": None,
        "add": "players.add_accounts",
        "change": "players.add_accounts",
        "limit": "players.set_player_limits",
        "move": "players.add_accounts",
    }

    def agent_scope(self, agent, action):
        # agent_id IN (SELECT id FROM agent WHERE path LIKE '<path>%'): uses the player's agent index
        # and the path's varchar_pattern_ops index, no join per player row.
        from players.models import Agent

        return Q(agent__in=Agent.objects.subtree_of(agent).values("pk"))

    def active(self):
        return self.filter(status="active")

    def real(self):
        """Excludes test accounts (GLI-19 A.2.5): what reports count."""
        return self.filter(is_test=False)


def _player_subtree(agent, prefix: str = "player__") -> Q:
    from players.models import Agent

    return Q(**{f"{prefix}agent__in": Agent.objects.subtree_of(agent).values("pk")})


class PlayerChildQuerySet(ScopedQuerySet):
    """Rows that belong to one player (KYC history, limits, exclusions): the player's scope."""

    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        return _player_subtree(agent)


class TimelineEventQuerySet(PlayerChildQuerySet):
    pass


class NoteQuerySet(ScopedQuerySet):
    agent_actions = {"view": None, "add": "players.add_accounts", "change": "players.add_accounts"}

    def agent_scope(self, agent, action):
        return _player_subtree(agent)

    def follow_ups_open(self):
        return self.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)


class SegmentQuerySet(ScopedQuerySet):
    # Segments are operator marketing data: agents do not see them.
    agent_actions = {}
