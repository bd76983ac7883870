"""The player timeline's one write path, used by every module (see docs/players.md)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from players.visibility import STAFF_SUMMARY_KEY


def timeline_record(*, player_id: int, kind: str, summary: str, occurred_at: datetime | None = None,
                    amount: Decimal | None = None, currency: str = "", actor=None, integration: str = "",
                    ref_type: str = "", ref_id: str = "", data: dict | None = None,
                    staff_summary: str = "") -> None:
    """Append one event to a player's timeline, in the caller's transaction (one INSERT).

    ``kind`` is namespaced ``<module>.<event>`` ("cashier.deposit_confirmed"); ``ref_type``/``ref_id``
    name the source object ("cashier.deposit", "42") so the timeline can link to it. ``summary`` is what
    every reader of the event sees; ``staff_summary``, when given, is what operator staff see instead:
    the same with what staff typed (a reason) or what names another tree (see ``players.visibility``).
    """
    module, dot, _ = kind.partition(".")
    if not dot or not module:
        raise ValueError(f"Timeline kind {kind!r} must be namespaced as '<module>.<event>'.")
    if amount is not None and isinstance(amount, float):
        raise TypeError("Timeline amounts must be Decimal, not float.")
    if staff_summary and staff_summary != summary:
        data = {**(data or {}), STAFF_SUMMARY_KEY: staff_summary[:1000]}
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    with connection.cursor() as cur:  # players_timeline_record (players/sql/): shared with SQL callers
        cur.execute("SELECT players_timeline_record(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
                    [player_id, occurred_at or timezone.now(), kind, summary, amount, currency, actor_id, integration,
                     ref_type, str(ref_id), None if data is None else json.dumps(data)])
