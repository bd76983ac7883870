"""Cashier services. Import from here: ``from cashier.services import ledger_post``."""

from cashier.services.adjustments import balance_adjust  # noqa: F401
from cashier.services.ledger import (  # noqa: F401
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPosting,
    PostResult,
    accounts_lock,
    house_account,
    ledger_post,
    ledger_reverse,
    player_account,
    player_balances,
    system_balance,
)
