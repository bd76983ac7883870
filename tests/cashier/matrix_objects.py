"""Cashier objects for the permission matrix (imported by tests/backoffice/test_permission_matrix.py)."""

from tests import matrix


@matrix.objects_for("cashier.ledgertransaction")
def _transactions(world):
    from tests.cashier.conftest import fund

    return {k: fund(world[name], "10") for k, name in (("a", "player_a"), ("c", "player_c"), ("foreign", "player_b"))}


@matrix.objects_for("cashier.account")
def _accounts(world):
    from cashier.choices import AccountKind
    from cashier.services import player_account

    return {k: player_account(player=world[name], kind=AccountKind.PLAYER_CASH)
            for k, name in (("a", "player_a"), ("c", "player_c"), ("foreign", "player_b"))}
