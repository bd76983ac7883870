"""The players app's hook points (backoffice.hooks). Other apps register receivers from their ``ready()``."""

from backoffice.hooks import Hook

exclusion_started = Hook("players.exclusion_started", """\
A time-out or self-exclusion has started (``players.services.rg_exclusion_start``), in its transaction:
``receiver(*, player, exclusion, actor)``. Other modules end sessions and cancel pending bonuses here; an
exception aborts the exclusion. Registered: games (ends the player's game sessions).""")
