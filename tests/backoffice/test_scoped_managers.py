"""Every model of the product is scoped by construction, and rows carry a visibility by kind."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from backoffice.querysets import ScopedQuerySet
from players.choices import AgentFlag
from players.visibility import TIMELINE_KIND_VISIBILITY, Visibility
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory

PRODUCT_APPS = {"backoffice", "players", "cashier", "games", "bonuses", "sportsbook", "reports"}


def _django_declared_through_models():
    """Through tables of many-to-many fields that Django itself declares (``PermissionsMixin``)."""
    user = get_user_model()
    return {user._meta.get_field(name).remote_field.through for name in ("groups", "user_permissions")}


def test_every_model_has_a_scoped_default_manager():
    exempt = _django_declared_through_models()
    unscoped = [m._meta.label for m in apps.get_models(include_auto_created=True)
                if m._meta.app_label in PRODUCT_APPS and m not in exempt
                and not isinstance(m._default_manager.all(), ScopedQuerySet)]
    assert not unscoped, f"Models without a ScopedQuerySet default manager: {unscoped}"


def test_every_many_to_many_of_ours_has_an_explicit_scoped_through_model():
    exempt = _django_declared_through_models()
    implicit = [f"{m._meta.label}.{f.name}" for m in apps.get_models() if m._meta.app_label in PRODUCT_APPS
                for f in m._meta.local_many_to_many
                if f.remote_field.through._meta.auto_created and f.remote_field.through not in exempt]
    assert not implicit, f"Implicit through models (no scoped manager possible): {implicit}"


def test_every_aml_timeline_kind_is_staff_only():
    """Any timeline kind about AML recorded anywhere in the product is listed as staff-only."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    recorded = {kind for app in PRODUCT_APPS for path in (root / app).rglob("*.py")
                for kind in re.findall(r'kind=f?"([a-z_]+\.[a-z_{}]*aml[a-z_]*)"', path.read_text())}
    assert {"cashier.aml_flag", "cashier.aml_case_resolved"} <= recorded
    assert all(TIMELINE_KIND_VISIBILITY.get(k) == Visibility.STAFF for k in recorded), recorded


@pytest.fixture
def agent_world(db):
    agent = AgentFactory(code="VIS-MA", flags=list(AgentFlag.values))
    player = PlayerFactory(agent=agent)
    staff = OperatorFactory(role="Risk & Compliance")
    return agent, player, staff


def test_agents_never_read_aml_timeline_events_or_staff_notes(agent_world):
    from players.models import Note, TimelineEvent
    from players.services import note_create, timeline_record

    agent, player, staff = agent_world
    timeline_record(player_id=player.pk, kind="cashier.aml_flag", summary="AML flag: large deposit")
    timeline_record(player_id=player.pk, kind="cashier.deposit_confirmed", summary="Deposit")
    note_create(player=player, text="shared", channel="phone", actor=staff)
    note_create(player=player, text="staff only", actor=staff, visibility=Visibility.STAFF)

    agent_kinds = set(TimelineEvent.objects.restrict(agent.user).filter(player=player).values_list("kind", flat=True))
    assert "cashier.aml_flag" not in agent_kinds and "players.staff_note" not in agent_kinds
    assert {"cashier.deposit_confirmed", "players.note"} <= agent_kinds
    staff_kinds = set(TimelineEvent.objects.restrict(staff).filter(player=player).values_list("kind", flat=True))
    assert {"cashier.aml_flag", "players.staff_note"} <= staff_kinds
    assert list(Note.objects.restrict(agent.user).filter(player=player).values_list("text", flat=True)) == ["shared"]
    assert Note.objects.restrict(staff).filter(player=player).count() == 2


def test_an_agent_cannot_write_a_staff_only_note(agent_world):
    from backoffice.exceptions import ApplicationError
    from players.services import note_create

    agent, player, _ = agent_world
    with pytest.raises(ApplicationError):
        note_create(player=player, text="hidden from myself", actor=agent.user, visibility=Visibility.STAFF)


def test_hold_reasons_are_staff_only(agent_world):
    from cashier.constants import HOLD_OPEN_AML_FLAGS
    from cashier.models import Withdrawal
    from cashier.selectors import withdrawal_hold_reasons

    agent, player, staff = agent_world
    w = Withdrawal(player=player, hold_reasons=[HOLD_OPEN_AML_FLAGS, "Above the four-eyes threshold (EUR 1.00)."])
    assert withdrawal_hold_reasons(user=staff, withdrawal=w) == w.hold_reasons
    # None reaches an agent: the AML one tips off, the others reveal settings agents may not view.
    assert withdrawal_hold_reasons(user=agent.user, withdrawal=w) == []


def test_rg_overview_shows_only_what_the_user_may_view(agent_world):
    from players.services import rg_exclusion_start, rg_limit_set, rg_overview

    _agent, player, staff = agent_world
    rg_limit_set(player=player, kind="deposit", period="day", amount=Decimal("50"), actor=staff, reason="asked")
    rg_exclusion_start(player=player, kind="timeout", duration=timedelta(days=1), actor=staff)
    marketing = OperatorFactory(role="Marketing")  # sees players, not their RG rows
    hidden = rg_overview(player=player, user=marketing)
    assert hidden["limits"] is None and hidden["states"] is None and hidden["active_exclusions"] is None
    shown = rg_overview(player=player, user=staff)
    assert len(shown["limits"]) == 1 and len(shown["active_exclusions"]) == 1


def test_staff_typed_reasons_and_other_trees_reach_staff_only(agent_world):
    """A status, KYC or move event: agents read the summary, staff the reason and the codes too."""
    from players.models import TimelineEvent
    from players.services import player_kyc_set, player_move, player_status_set

    agent, _, staff = agent_world
    player = PlayerFactory(agent=agent, currency=agent.currency)
    other = AgentFactory(code="VIS-OTHER", currency=agent.currency)
    player_status_set(player=player, status="suspended", reason="AML investigation", actor=staff)
    player_kyc_set(player=player, status="pending", reason="AML source of funds", actor=staff)
    player_move(player=player, agent=other, actor=staff)
    player_move(player=player, agent=agent, actor=staff)

    def texts(user):
        rows = TimelineEvent.objects.restrict(user).filter(player=player).for_reader(user).order_by("id")
        return [(e.text, e.by) for e in rows]

    seen = texts(agent.user)
    assert [t for t, _ in seen] == ["Status active → suspended", "KYC unverified → pending",
                                    "Moved to another agent", "Moved to another agent"]
    assert {by for _, by in seen} == {"staff"}
    assert all("data" not in e.__dict__ for e in TimelineEvent.objects.restrict(agent.user).for_reader(agent.user))
    assert [t for t, _ in texts(staff)] == ["Status active → suspended: AML investigation",
                                            "KYC unverified → pending: AML source of funds",
                                            "Moved from VIS-MA to VIS-OTHER", "Moved from VIS-OTHER to VIS-MA"]
    assert {by for _, by in texts(staff)} == {staff.username}


def test_tags_change_only_within_the_segments_the_actor_may_change(agent_world):
    from backoffice.exceptions import ApplicationError
    from backoffice.models import AuditEvent
    from players.models import Segment, TimelineEvent
    from players.services import player_segments_set

    agent, player, risk = agent_world
    support = OperatorFactory(role="Support")
    watch, vip = Segment.objects.create(name="Watch list"), Segment.objects.create(name="VIP")
    player_segments_set(player=player, segments=[watch], actor=risk)
    for actor in (support, agent.user):  # no segment "change": an empty form removes nothing
        player_segments_set(player=player, segments=[], actor=actor)
        assert list(player.segments.all()) == [watch]
        with pytest.raises(ApplicationError):
            player_segments_set(player=player, segments=[watch, vip], actor=actor)
    player_segments_set(player=player, segments=[vip], actor=risk)
    assert list(player.segments.all()) == [vip]
    audit = AuditEvent.objects.filter(action="player.tags").latest("seq")
    assert (audit.before, audit.after) == ({"tags": ["Watch list"]}, {"tags": ["VIP"]})
    assert not TimelineEvent.objects.restrict(agent.user).filter(player=player, kind="players.tags").exists()


def test_ledger_metadata_agents_read_only_listed_keys(agent_world):
    from cashier.models import LedgerTransaction
    from cashier.selectors import ledger_transaction_metadata

    agent, _, staff = agent_world
    tx = LedgerTransaction(metadata={"reason_code": "other", "reason": "after AML review", "by": "op1"})
    assert ledger_transaction_metadata(user=staff, transaction=tx) == tx.metadata
    assert ledger_transaction_metadata(user=agent.user, transaction=tx) == {"reason_code": "other"}
