"""The needs-attention queue's pages and the dashboard's alert."""

from decimal import Decimal

import pytest

from backoffice.models import AuditEvent
from cashier.models import AttentionItem, Withdrawal
from tests.cashier.test_gateway_status import flagged_payout, later, sent_payout  # noqa: F401
from tests.factories import AgentFactory, OperatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(db):
    return OperatorFactory(role="Finance")


def test_the_queue_lists_open_items_with_their_wait_and_last_query(flagged_payout, finance, login):  # noqa: F811
    w, item = flagged_payout()
    page = login(finance).get("/cashier/attention/").content.decode()
    assert w.reference in page and "did not answer 1 status queries" in page
    assert "no answer: the simulated gateway timed out" in page and "Payout" in page
    detail = login(finance).get(f"/cashier/attention/{item.pk}/").content.decode()
    assert "Ask the gateway again" in detail and "Resolve by hand" in detail
    assert "Waiting on the gateway since" in detail


def test_resolved_items_leave_the_queue_but_stay_listed_as_resolved(flagged_payout, finance, login):  # noqa: F811
    w, item = flagged_payout()
    client = login(finance)
    response = client.post(f"/cashier/attention/{item.pk}/requery/", {"requery": "now"})
    assert response.status_code == 302 and Withdrawal.objects.get(pk=w.pk).status == "paid"
    assert w.reference not in client.get("/cashier/attention/").content.decode()
    assert w.reference in client.get("/cashier/attention/?state=resolved").content.decode()
    detail = client.get(f"/cashier/attention/{item.pk}/").content.decode()
    assert "Resolve by hand" not in detail


def test_resolving_by_hand_needs_a_reason_and_shows_the_amount(flagged_payout, finance, login):  # noqa: F811
    w, item = flagged_payout("40.00")
    client = login(finance)
    page = client.get(f"/cashier/attention/{item.pk}/resolve/").content.decode()
    assert w.reference in page and "40.00" in page
    response = client.post(f"/cashier/attention/{item.pk}/resolve/", {"outcome": "paid", "reason": "   "})
    assert response.status_code == 200 and "required" in response.content.decode()
    response = client.post(f"/cashier/attention/{item.pk}/resolve/", {"outcome": "failed", "reason": "Bank said no"})
    assert response.status_code == 302
    assert Withdrawal.objects.get(pk=w.pk).status == "failed"
    assert AuditEvent.objects.filter(action="cashier.attention_resolve", actor=finance).exists()


def test_four_eyes_shows_the_proposal(flagged_payout, finance, login):  # noqa: F811
    from cashier.models import WithdrawalPolicy

    WithdrawalPolicy.objects.create(currency="EUR", four_eyes_above=Decimal("10"))
    _, item = flagged_payout("40.00")
    login(finance).post(f"/cashier/attention/{item.pk}/resolve/", {"outcome": "paid", "reason": "Statement"})
    page = login(OperatorFactory(role="Finance")).get(f"/cashier/attention/{item.pk}/resolve/").content.decode()
    assert f"{finance.username} proposed" in page


def test_who_may_see_and_act(flagged_payout, login):  # noqa: F811
    _, item = flagged_payout()
    support = login(OperatorFactory(role="Support"))
    assert support.get("/cashier/attention/").status_code == 200  # cashier.view_*
    assert support.post(f"/cashier/attention/{item.pk}/requery/", {"requery": "now"}).status_code == 403
    assert login(OperatorFactory(role="Marketing")).get("/cashier/attention/").status_code == 403
    agent = AgentFactory(flags=["add_accounts"])
    assert login(agent.user).get("/cashier/attention/").status_code == 403
    assert login(agent.user).get(f"/cashier/attention/{item.pk}/").status_code == 403


def test_the_dashboard_alerts_while_the_queue_is_not_empty(flagged_payout, finance, login):  # noqa: F811
    client = login(finance)
    assert "need attention" not in client.get("/").content.decode()
    _, item = flagged_payout()
    page = client.get("/").content.decode()
    assert "1 payment needs attention" in page and 'href="/cashier/attention/"' in page
    assert "need" not in login(OperatorFactory(role="Marketing")).get("/").content.decode().split("kpis")[0]
    AttentionItem.objects.filter(pk=item.pk).update(resolution="x", resolved_at=later(0))
    assert "needs attention" not in client.get("/").content.decode()
