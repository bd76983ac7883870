"""Who may see a row of a player that the player's scope alone would show: visibility by kind.

An agent sees its players, but not everything about them: AML data must never reach an agent in any
form (tipping off), and operator staff keep notes, tags and reasons of their own. Rows that can be such
carry a visibility, and the querysets of ``players.querysets`` (``agent_scope``) leave out what agents
may not see, so a page, a partial or an export cannot show it by mistake.

* Timeline events: by kind, in :data:`TIMELINE_KIND_VISIBILITY` (the table below); a kind not listed
  is visible to agents, so an app that records a new kind decides it here.
* Within an event agents may see, the ``summary`` is what every reader sees; what staff typed (a
  reason) or what names another tree (agent codes) goes into the staff-only summary
  (``timeline_record(staff_summary=...)``, stored under :data:`STAFF_SUMMARY_KEY` of ``data``), which
  ``TimelineEventQuerySet.for_reader`` shows to operator staff only.
* Notes: their own ``visibility`` field (a staff-only note is recorded as ``players.staff_note``, the
  follow-up of one as ``players.staff_follow_up_done``).
* Withdrawal hold reasons and staff-typed reasons on other rows (KYC, exclusions, a rejection, an
  adjustment's memo): staff only, applied by the tables (``staff_only_columns``), the detail views
  (``staff_only_fields``) and the cashier's selectors.

Every kind recorded today, and why (``timeline_record(kind=...)`` across the apps):

==================================  =======  ==========================================================
kind                                who      summary for agents / why
==================================  =======  ==========================================================
players.registered                  all      "Account registered"; the agent code is staff-only (a moved
                                             player's first agent may be another tree's)
players.profile_changed             all      the names of the fields changed
players.status                      all      "Status active → suspended"; the reason is staff-only
players.kyc                         all      "KYC pending → rejected"; the reason is staff-only
players.moved                       all      "Moved to another agent"; both codes are staff-only
players.credit_limits               all      the limits agents set themselves
players.tags                        staff    names segments (operator marketing and risk data)
players.note                        all      a note written for agents and staff
players.staff_note                  staff    a staff-only note
players.follow_up_done              all      the follow-up of a note agents see
players.staff_follow_up_done        staff    the follow-up of a staff-only note
players.login / login_locked        all      player-site logins
players.limit_* / limit_confirmed   all      RG limits (agents enforce them); staff reasons are not in it
players.timeout / self_exclusion    all      RG exclusions (agents must honour them); reason not in it
players.reality_check               all      RG setting
games.round                         all      the player's play
cashier.deposit_*                   all      the player's deposits (gateway texts, no staff text)
cashier.withdrawal_requested        all      never names a hold reason
cashier.withdrawal_approved         all      the decision only
cashier.withdrawal_rejected         all      "Withdrawal W-… rejected"; the reason is staff-only
cashier.withdrawal_paid / _failed   all      the gateway's answer
cashier.adjustment                  all      the reason code's label; the typed reason is in ``data``
cashier.aml_flag                    staff    AML (tipping off)
cashier.aml_case_resolved           staff    AML (tipping off)
==================================  =======  ==========================================================
"""

from django.db import models


class Visibility(models.TextChoices):
    ALL = "all", "Operator staff and agents"
    STAFF = "staff", "Operator staff only"


TIMELINE_KIND_VISIBILITY: dict[str, Visibility] = {
    "cashier.aml_flag": Visibility.STAFF,
    "cashier.aml_case_resolved": Visibility.STAFF,
    "players.staff_note": Visibility.STAFF,
    "players.staff_follow_up_done": Visibility.STAFF,
    "players.tags": Visibility.STAFF,
}

#: The key of ``TimelineEvent.data`` that holds the staff-only summary (the full text, reason included).
STAFF_SUMMARY_KEY = "staff_summary"


def timeline_kinds_hidden_from_agents() -> list[str]:
    return sorted(k for k, v in TIMELINE_KIND_VISIBILITY.items() if v == Visibility.STAFF)


def note_timeline_kind(visibility: str, event: str = "note") -> str:
    """The timeline kind of a note's event ("note", "follow_up_done"): staff-only notes get a staff-only kind."""
    return f"players.staff_{event}" if visibility == Visibility.STAFF else f"players.{event}"
