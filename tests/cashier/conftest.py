"""Fixtures of the cashier tests and the permission-matrix registrations of cashier objects."""

from decimal import Decimal

import pytest

from tests.factories import PlayerFactory


def fund(player, amount, *, key=None):
    """Credit a player's cash wallet from gateway clearing (a deposit without the deposit machinery)."""
    from cashier.choices import AccountKind
    from cashier.services import house_account, ledger_post, player_account

    cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    clearing = house_account(currency=player.currency, kind=AccountKind.GATEWAY_CLEARING)
    amount = Decimal(amount)
    return ledger_post(idempotency_key=key or f"fund:{player.pk}:{cash.balance}:{amount}:{id(object())}",
                       kind="test.fund", lines=[(cash, amount), (clearing, -amount)]).transaction


@pytest.fixture
def funded_player(db):
    player = PlayerFactory(currency="EUR")
    fund(player, "100.00")
    return player


def ledger_ok():
    from cashier.verify import ledger_verify

    report = ledger_verify()
    assert report.ok, report.problems
    return report
