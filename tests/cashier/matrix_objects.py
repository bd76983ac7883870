"""Cashier objects for the permission matrix (imported by tests/backoffice/test_permission_matrix.py)."""

from tests import matrix


@matrix.objects_for("cashier.ledgertransaction")
def _transactions(world):
    from tests.cashier.conftest import fund

    return {k: fund(world[name], "10") for k, name in (("a", "player_a"), ("c", "player_c"), ("foreign", "player_b"))}
