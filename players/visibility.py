"""Who may see a row of a player that the player's scope alone would show: visibility by kind.

An agent sees its players, but not everything about them: AML data must never reach an agent in any
form (tipping off), and operator staff keep notes of their own. Rows that can be such carry a
visibility, and the querysets of ``players.querysets`` (``agent_scope``) leave out what agents may not
see, so a page, a partial or an export cannot show it by mistake.

* Timeline events: by kind, in :data:`TIMELINE_KIND_VISIBILITY` (kinds not listed are visible to
  agents). An app that records a staff-only kind lists it here.
* Notes: their own ``visibility`` field (a staff-only note is recorded as ``players.staff_note``).
* Withdrawal hold reasons: ``cashier.constants.HOLD_REASON_VISIBILITY`` (the cashier's selector).
"""

from django.db import models


class Visibility(models.TextChoices):
    ALL = "all", "Operator staff and agents"
    STAFF = "staff", "Operator staff only"


TIMELINE_KIND_VISIBILITY: dict[str, Visibility] = {
    "cashier.aml_flag": Visibility.STAFF,
    "cashier.aml_case_resolved": Visibility.STAFF,
    "players.staff_note": Visibility.STAFF,
}


def timeline_kinds_hidden_from_agents() -> list[str]:
    return sorted(k for k, v in TIMELINE_KIND_VISIBILITY.items() if v == Visibility.STAFF)


def note_timeline_kind(visibility: str) -> str:
    """The timeline kind of a new note: staff-only notes get a staff-only kind."""
    return "players.staff_note" if visibility == Visibility.STAFF else "players.note"
