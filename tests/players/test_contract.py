"""The players contract other modules code against: timeline_record, rg_check, rg_usage_record."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from players.choices import ExclusionKind, PlayerStatus
from players.models import TimelineEvent
from players.services import RgDecision, rg_check, rg_exclusion_start, rg_limit_set, rg_usage_record, timeline_record
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def test_timeline_record_writes_one_namespaced_row():
    p = PlayerFactory()
    timeline_record(player_id=p.pk, kind="cashier.deposit_confirmed", summary="Deposit 10.00 EUR",
                    amount=Decimal("10.00"), currency="EUR", ref_type="cashier.deposit", ref_id="42", data={"x": 1})
    ev = TimelineEvent.objects.get(player=p, kind="cashier.deposit_confirmed")
    assert ev.module == "cashier" and ev.amount == Decimal("10.00") and ev.ref_id == "42"
    with pytest.raises(ValueError):
        timeline_record(player_id=p.pk, kind="nonamespace", summary="x")


def test_rg_check_allowed_without_limits():
    p = PlayerFactory()
    assert rg_check(player=p, action="deposit", amount=Decimal("1000")) == RgDecision(True)
    assert rg_check(player=p, action="bet", amount=Decimal("1000")).allowed


def test_blocked_excluded_timed_out():
    p = PlayerFactory(status=PlayerStatus.SUSPENDED)
    assert rg_check(player=p, action="deposit", amount=Decimal(1)).code == "blocked"
    p2 = PlayerFactory()
    rg_exclusion_start(player=p2, kind=ExclusionKind.TIMEOUT, duration=timedelta(days=1))
    assert rg_check(player=p2, action="bet", amount=Decimal(1)).code == "timed_out"
    rg_exclusion_start(player=p2, kind=ExclusionKind.SELF_EXCLUSION, duration=None)
    decision = rg_check(player=p2, action="deposit", amount=Decimal(1))
    assert decision.code == "self_excluded" and "indefinitely" in decision.message


def test_deposit_limit_uses_recorded_usage():
    p = PlayerFactory()
    rg_limit_set(player=p, kind="deposit", period="day", amount=Decimal("100"))
    rg_usage_record(player_id=p.pk, kind="deposit", amount=Decimal("70"))
    d = rg_check(player=p, action="deposit", amount=Decimal("31"))
    assert (d.allowed, d.code, d.remaining) == (False, "deposit_limit", Decimal("30"))
    ok = rg_check(player=p, action="deposit", amount=Decimal("30"))
    assert ok.allowed and ok.remaining == Decimal("30")
    p.refresh_from_db()
    assert p.lifetime_deposits == Decimal("70") and p.last_activity_at is not None


def test_loss_limit_counts_wins():
    p = PlayerFactory()
    rg_limit_set(player=p, kind="loss", period="week", amount=Decimal("50"))
    rg_usage_record(player_id=p.pk, kind="wager", amount=Decimal("100"))
    rg_usage_record(player_id=p.pk, kind="win", amount=Decimal("80"))
    d = rg_check(player=p, action="bet", amount=Decimal("31"))
    assert (d.code, d.remaining) == ("loss_limit", Decimal("30"))
    assert rg_check(player=p, action="deposit", amount=Decimal("1000")).allowed  # loss limits do not bound deposits


def test_usage_outside_the_window_does_not_count():
    p = PlayerFactory()
    rg_limit_set(player=p, kind="wager", period="day", amount=Decimal("10"))
    rg_usage_record(player_id=p.pk, kind="wager", amount=Decimal("10"), at=timezone.now() - timedelta(hours=26))
    assert rg_check(player=p, action="bet", amount=Decimal("10")).allowed
