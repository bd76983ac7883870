"""Guards of responsible-gambling actions staff take (issue 14): a reason and a confirmation that states the
end date for exclusions, a confirmation for a limit of 0, and operator-imposed limits unless staff say otherwise."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AuditEvent
from players.models import RgExclusion, RgLimit
from players.services import rg_limit_set
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(login):
    return login(OperatorFactory(role="Risk & Compliance"))


def test_self_exclusion_needs_a_reason_and_a_confirmation_stating_its_end(risk):
    p = PlayerFactory()
    url = reverse("players:player_exclusion", args=[p.pk])
    r = risk.post(url, {"kind": "self_exclusion", "duration": "6m"})
    assert r.status_code == 200 and b"This field is required" in r.content
    before = timezone.now()
    r = risk.post(url, {"kind": "self_exclusion", "duration": "6m", "reason": "asked by phone"})
    body = r.content.decode()
    assert r.status_code == 200 and "data-confirmation" in body
    assert not RgExclusion.objects.filter(player=p).exists()  # the first POST only states what will happen
    ends = {f"{(before + timedelta(days=182) + timedelta(minutes=m)).astimezone(UTC):%Y-%m-%d %H:%M}" for m in (0, 1)}
    assert "Self-exclusion for 6 months, until " in body and any(f"until {e} UTC" in body for e in ends)
    assert "cannot be lifted early" in body and 'name="confirmed" value="1"' in body
    r = risk.post(url, {"kind": "self_exclusion", "duration": "6m", "reason": "asked by phone", "confirmed": "1"})
    assert r.status_code == 302
    exclusion = RgExclusion.objects.get(player=p)
    assert exclusion.reason == "asked by phone" and exclusion.ends_at - exclusion.starts_at == timedelta(days=182)
    assert AuditEvent.objects.filter(action="player.self_exclusion", object_id=str(p.pk),
                                     reason="asked by phone").exists()


def test_timeout_confirmation_and_an_indefinite_exclusion(risk):
    p = PlayerFactory()
    url = reverse("players:player_exclusion", args=[p.pk])
    body = risk.post(url, {"kind": "timeout", "duration": "1w", "reason": "cool down"}).content.decode()
    assert "Time-out for 1 week, until " in body and not RgExclusion.objects.filter(player=p).exists()
    body = risk.post(url, {"kind": "self_exclusion", "duration": "indefinite", "reason": "r"}).content.decode()
    assert "Self-exclusion, indefinitely" in body and not RgExclusion.objects.filter(player=p).exists()


def test_a_limit_of_zero_asks_for_confirmation(risk):
    p = PlayerFactory()
    url = reverse("players:player_limit_set", args=[p.pk])
    r = risk.post(url, {"kind": "deposit", "period": "day", "amount": "0"})
    body = r.content.decode()
    assert r.status_code == 200 and "data-confirmation" in body and "cannot deposit at all" in body
    assert not RgLimit.objects.filter(player=p).exists()
    r = risk.post(url, {"kind": "deposit", "period": "day", "amount": "0", "source": "operator", "confirmed": "1"})
    assert r.status_code == 302 and RgLimit.objects.get(player=p).amount == 0
    r = risk.post(url, {"kind": "wager", "period": "day", "amount": "25"})  # not 0: at once
    assert r.status_code == 302 and RgLimit.objects.get(player=p, kind="wager").amount == Decimal(25)


def test_a_limit_staff_set_is_operator_imposed_unless_they_choose_the_players_request(risk):
    p = PlayerFactory()
    url = reverse("players:player_limit_set", args=[p.pk])
    form = risk.get(url).content.decode()
    assert '<option value="operator" selected>' in form
    assert risk.post(url, {"kind": "deposit", "period": "day", "amount": "100"}).status_code == 302
    assert RgLimit.objects.get(player=p, kind="deposit").source == "operator"
    assert risk.post(url, {"kind": "loss", "period": "day", "amount": "100", "source": "player"}).status_code == 302
    assert RgLimit.objects.get(player=p, kind="loss").source == "player"
    staff = OperatorFactory(role="Risk & Compliance")
    row, _ = rg_limit_set(player=p, kind="wager", period="week", amount=Decimal(5), actor=staff)
    assert row.source == "operator"
    row, _ = rg_limit_set(player=p, kind="wager", period="day", amount=Decimal(5))  # the player's own site
    assert row.source == "player"
