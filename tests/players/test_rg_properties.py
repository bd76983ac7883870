"""Property-based tests (hypothesis) of the responsible-gambling limit rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.exceptions import ApplicationError
from players.services import rg_check, rg_limit_confirm, rg_limit_set, rg_usage_record
from players.services.rg import effective_limits
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
periods = st.sampled_from(["day", "week", "month"])


@SETTINGS
@given(limits=st.dictionaries(periods, amounts, min_size=1, max_size=3),
       usage=st.lists(st.tuples(st.integers(min_value=0, max_value=40 * 24), amounts), max_size=6),
       request_amount=amounts)
def test_lowest_remaining_limit_wins(limits, usage, request_amount):
    """A deposit is allowed iff it fits under every limit; the remaining is the tightest one's."""
    now = timezone.now()
    player = PlayerFactory(country="DE")
    for period, amount in limits.items():
        rg_limit_set(player=player, kind="deposit", period=period, amount=amount, at=now - timedelta(days=40))
    for hours_ago, amount in usage:
        rg_usage_record(player_id=player.pk, kind="deposit", amount=amount, at=now - timedelta(hours=hours_ago))

    def used(period):
        # The window starts at the top of the hour (now - window): what the implementation counts.
        start = (now - {"day": timedelta(hours=24), "week": timedelta(days=7), "month": timedelta(days=30)}[period]) \
            .replace(minute=0, second=0, microsecond=0)
        return sum((a for h, a in usage if (now - timedelta(hours=h)).replace(minute=0, second=0, microsecond=0)
                    >= start), Decimal(0))

    remaining = min(amount - used(period) for period, amount in limits.items())
    decision = rg_check(player=player, action="deposit", amount=request_amount, at=now)
    assert decision.allowed == (request_amount <= remaining)
    assert decision.remaining == max(remaining, Decimal(0))
    if not decision.allowed:
        assert decision.code == "deposit_limit"


@SETTINGS
@given(current=amounts, new=amounts, country=st.sampled_from(["DE", "MT", "GB"]))
def test_decrease_is_immediate_increase_waits(current, new, country):
    t0 = timezone.now()
    player = PlayerFactory(country=country)
    rg_limit_set(player=player, kind="wager", period="week", amount=current, at=t0)
    row, outcome = rg_limit_set(player=player, kind="wager", period="week", amount=new, at=t0 + timedelta(minutes=1))
    eff = lambda at: effective_limits(player.pk, at)[("wager", "week")]  # noqa: E731
    if new <= current:
        assert eff(t0 + timedelta(minutes=2)) == new
    else:
        assert outcome == "pending"
        assert eff(t0 + timedelta(hours=24)) == current  # still cooling off
        after = t0 + timedelta(hours=24, minutes=2)
        if country == "GB":  # UKGC: the player must reaffirm after the cooling-off
            assert eff(after) == current
            with pytest.raises(ApplicationError):
                rg_limit_confirm(player=player, limit_id=row.pk, at=t0 + timedelta(hours=1))
            rg_limit_confirm(player=player, limit_id=row.pk, at=after)
        assert eff(after) == new


@SETTINGS
@given(operator=amounts, own=amounts)
def test_own_limit_never_loosens_operator_limit(operator, own):
    t0 = timezone.now()
    player = PlayerFactory()
    rg_limit_set(player=player, kind="loss", period="day", amount=operator, source="operator", at=t0)
    if own > operator:
        with pytest.raises(ApplicationError):
            rg_limit_set(player=player, kind="loss", period="day", amount=own, at=t0)
    else:
        rg_limit_set(player=player, kind="loss", period="day", amount=own, at=t0)
    assert effective_limits(player.pk, t0 + timedelta(days=2))[("loss", "day")] == min(operator, own)
    # Lowering the operator limit below the player's still binds at once.
    rg_limit_set(player=player, kind="loss", period="day", amount=Decimal(0), source="operator", at=t0)
    assert rg_check(player=player, action="bet", amount=Decimal("0.01"), at=t0).code == "loss_limit"


@SETTINGS
@given(wagers=st.lists(amounts, max_size=5), wins=st.lists(amounts, max_size=5), limit=amounts, bet=amounts)
def test_loss_limit_is_wagers_minus_wins(wagers, wins, limit, bet):
    now = timezone.now()
    player = PlayerFactory()
    rg_limit_set(player=player, kind="loss", period="day", amount=limit, at=now - timedelta(hours=1))
    for w in wagers:
        rg_usage_record(player_id=player.pk, kind="wager", amount=w, at=now)
    for w in wins:
        rg_usage_record(player_id=player.pk, kind="win", amount=w, at=now)
    net_loss = sum(wagers, Decimal(0)) - sum(wins, Decimal(0))
    assert rg_check(player=player, action="bet", amount=bet, at=now).allowed == (bet <= limit - net_loss)
