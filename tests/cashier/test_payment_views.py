"""Deposit, withdrawal and AML case pages: the flows through the browser forms."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cashier.models import AmlCase, Deposit, Withdrawal, WithdrawalPolicy
from cashier.services import deposit_confirm, player_balances
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def player(db):
    return PlayerFactory(currency="EUR", country="MT")


def test_deposit_page_starts_a_deposit_and_refuses_bad_amounts(login, player, method, no_simulator):
    client = login(OperatorFactory(role="Finance"))
    url = reverse("cashier:deposit_add")
    assert client.get(url, {"player": player.pk}).status_code == 200
    r = client.post(url, {"player": player.pk, "method": method.pk, "amount": "5"})
    assert r.status_code == 200 and "between" in r.content.decode()
    r = client.post(url, {"player": player.pk, "method": method.pk, "amount": "50"})
    assert r.status_code == 302
    d = Deposit.objects.get()
    assert client.get(reverse("cashier:deposit", args=[d.pk])).status_code == 200
    assert client.get(reverse("cashier:deposit_list"), {"status": "pending"}).status_code == 200


def test_withdrawal_review_with_four_eyes_through_pages(login, player, method, no_simulator):
    from cashier.services import deposit_initiate

    d = deposit_initiate(player=player, method=method, amount="500")
    deposit_confirm(deposit_id=d.pk, amount=Decimal("500"), currency="EUR")
    WithdrawalPolicy.objects.create(currency="EUR", four_eyes_above=Decimal("100"))
    # Risk & Compliance: the withdrawal right after the deposit is held for an AML flag (deposit-then-withdraw)
    first, second = OperatorFactory(role="Risk & Compliance"), OperatorFactory(role="Risk & Compliance")
    c1, c2 = login(first), login(second)
    r = c1.post(reverse("cashier:withdrawal_add"), {"player": player.pk, "method": method.pk, "amount": "200"})
    assert r.status_code == 302
    w = Withdrawal.objects.get()
    assert player_balances(player=player)["cash"] == Decimal("300")
    detail = c1.get(reverse("cashier:withdrawal", args=[w.pk])).content.decode()
    assert "Approve" in detail and "Reject" in detail
    approve = reverse("cashier:withdrawal_approve", args=[w.pk])
    assert c1.post(approve, {"confirm": "on"}).status_code == 302
    r = c1.post(approve, {"confirm": "on"})
    assert r.status_code == 200 and "another person" in r.content.decode()
    assert c2.post(approve, {"confirm": "on"}).status_code == 302
    w.refresh_from_db()
    assert w.status == "approved" and w.approved_by == second
    assert login(OperatorFactory(role="Support")).post(approve, {"confirm": "on"}).status_code == 403


def test_reject_page_returns_funds(login, player, method, no_simulator):
    from cashier.services import deposit_initiate, withdrawal_request

    d = deposit_initiate(player=player, method=method, amount="100")
    deposit_confirm(deposit_id=d.pk, amount=Decimal("100"), currency="EUR")
    w = withdrawal_request(player=player, method=method, amount="60")
    client = login(OperatorFactory(role="Risk & Compliance"))
    url = reverse("cashier:withdrawal_reject", args=[w.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "source of funds unclear"}).status_code == 302
    assert player_balances(player=player)["cash"] == Decimal("100")


def test_case_queue_assign_note_resolve(login, player, method, no_simulator):
    from cashier.services import aml_flag_raise

    aml_flag_raise(player=player, kind="large_transaction", summary="big one")
    case = AmlCase.objects.get()
    risk = OperatorFactory(role="Risk & Compliance")
    client = login(risk)
    assert "big one" in client.get(reverse("cashier:amlcase", args=[case.pk])).content.decode()
    assert client.get(reverse("cashier:amlcase_list"), {"status": "open"}).status_code == 200
    assert client.post(reverse("cashier:amlcase_assign", args=[case.pk]), {"assignee": risk.pk}).status_code == 302
    assert client.post(reverse("cashier:amlcase_note", args=[case.pk]), {"text": "called"}).status_code == 302
    assert client.post(reverse("cashier:amlcase_resolve", args=[case.pk]), {"resolution": ""}).status_code == 200
    assert client.post(reverse("cashier:amlcase_resolve", args=[case.pk]),
                       {"resolution": "salary documented"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved" and case.assignee == risk and case.notes.count() == 1


def test_withdrawal_page_shows_agents_no_review_internals(login, method, no_simulator):
    """Hold reasons, four-eyes steps, who decided and the reason staff typed: absent for the player's agent
    (not "—": the page must not hint that something is hidden), all there for staff."""
    from cashier.services import deposit_initiate, withdrawal_approve, withdrawal_reject, withdrawal_request
    from tests.factories import AgentFactory

    agent = AgentFactory(code="WD-MA", currency="EUR")
    player = PlayerFactory(currency="EUR", country="MT", agent=agent)
    d = deposit_initiate(player=player, method=method, amount="500")
    deposit_confirm(deposit_id=d.pk, amount=Decimal("500"), currency="EUR")
    WithdrawalPolicy.objects.create(currency="EUR", four_eyes_above=Decimal("100"))
    risk = OperatorFactory(role="Risk & Compliance")
    w = withdrawal_request(player=player, method=method, amount="200")
    withdrawal_approve(withdrawal_id=w.pk, actor=risk)  # first of two approvals
    withdrawal_reject(withdrawal_id=w.pk, actor=OperatorFactory(role="Risk & Compliance"),
                      reason="AML: suspected money laundering")
    url = reverse("cashier:withdrawal", args=[w.pk])
    labels = ("Hold reasons", "Needs second approval", "First approved by", "Rejected by", "Rejection reason",
              "four-eyes", "AML")
    staff_page = login(risk).get(url).content.decode()
    assert all(label in staff_page for label in labels)
    agent_page = login(agent.user).get(url)
    assert agent_page.status_code == 200
    assert [label for label in labels if label in agent_page.content.decode()] == []
    timeline = login(agent.user).get(reverse("players:player_timeline", args=[player.pk])).content.decode()
    assert f"Withdrawal {w.reference} rejected" in timeline and "laundering" not in timeline
