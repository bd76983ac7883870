"""Pages read as their reader expects: labels instead of codes, no doubled crumbs, no half-told ledger, no dead tab."""

import re
from decimal import Decimal

import pytest

from backoffice.kinds import kind_label
from cashier.choices import AccountKind, TransactionKind
from cashier.services import house_account, ledger_post, player_account
from players.services import note_create
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


def _reserve(player, amount="120"):
    """A withdrawal reservation: the player's cash leg and the house's pending-withdrawals leg."""
    cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    clearing = house_account(currency=player.currency, kind=AccountKind.GATEWAY_CLEARING)
    pending = house_account(currency=player.currency, kind=AccountKind.PENDING_WITHDRAWALS)
    amount = Decimal(amount)
    ledger_post(idempotency_key=f"fund-{player.pk}", kind="test.fund", lines=[(cash, amount), (clearing, -amount)])
    return ledger_post(idempotency_key=f"reserve-{player.pk}", kind=TransactionKind.WITHDRAWAL_RESERVE,
                       lines=[(cash, -amount), (pending, amount)]).transaction


def test_kind_labels_come_from_the_registry_with_a_fallback():
    assert kind_label("cashier.withdrawal_reserve") == "Withdrawal reserved"  # the cashier's choices
    assert kind_label("players.self_exclusion") == "Self-exclusion"  # the players app's timeline kinds
    assert kind_label("games.bet") == "Bet"
    assert kind_label("bonuses.wager_released") == "Wager released"  # nobody registered it
    assert kind_label("") == ""


def test_ledger_pages_show_kind_labels_not_codes(login):
    finance = OperatorFactory(role="Finance")
    player = PlayerFactory(currency="EUR")
    tx = _reserve(player)
    client = login(finance)
    for url in (tx.get_absolute_url(), "/cashier/transactions/", f"/cashier/entries/?player={player.pk}",
                f"/cashier/players/{player.pk}/wallets/"):
        page = client.get(url).content.decode()
        assert "Withdrawal reserved" in page, url
        assert not re.search(r">[^<]*cashier\.withdrawal_reserve", page), url  # a tooltip may name the code


def test_the_timeline_kind_column_shows_labels(login):
    support = OperatorFactory(role="Support")
    player = PlayerFactory()
    note_create(player=player, text="Asked about limits", actor=support)
    page = login(support).get(f"/players/{player.pk}/timeline/").content.decode()
    assert 'title="players.note">Note</td>' in page
    assert "<code>players.note</code>" not in page


def test_an_agent_is_told_that_the_other_legs_are_not_shown(login):
    agent = AgentFactory(code="AG-LEGS", currency="EUR")
    player = PlayerFactory(agent=agent, currency="EUR")
    tx = _reserve(player)
    note = "The other legs of this transaction"
    agent_page = login(agent.user).get(tx.get_absolute_url()).content.decode()
    assert note in agent_page and "-120.00" in agent_page
    finance_page = login(OperatorFactory(role="Finance")).get(tx.get_absolute_url()).content.decode()
    assert note not in finance_page  # every leg is listed: they sum to zero


def test_the_player_page_breadcrumb_names_players_once(login):
    player = PlayerFactory(username="crumb_player")
    page = login(OperatorFactory(role="Support")).get(player.get_absolute_url()).content.decode()
    crumbs = page.split('<div class="crumbs">', 1)[1].split("</div>", 1)[0]
    assert crumbs.count("Players") == 1 and "crumb_player" in crumbs


def test_a_role_that_sees_no_balances_gets_no_wallets_tab(login):
    player = PlayerFactory()
    marketing = login(OperatorFactory(role="Marketing")).get(player.get_absolute_url()).content.decode()
    assert f"/players/{player.pk}/wallets/" not in marketing
    direct = login(OperatorFactory(role="Marketing")).get(f"/players/{player.pk}/wallets/").content.decode()
    assert "Loading balances" not in direct and "Your role does not see balances." in direct
    support = login(OperatorFactory(role="Support")).get(player.get_absolute_url()).content.decode()
    assert f"/players/{player.pk}/wallets/" in support


def test_the_dashboard_has_no_stale_promises(login):
    page = login(OperatorFactory(role="Finance")).get("/").content.decode()
    assert "as their modules land" not in page and "arrives with reports" not in page
