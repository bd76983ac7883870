"""Cashier services. Import from here: ``from cashier.services import ledger_post``."""

from cashier.services.adjustments import (  # noqa: F401
    adjustment_approve,
    adjustment_check,
    adjustment_limits,
    adjustment_reject,
    adjustment_request,
    balance_adjust,
)
from cashier.services.aml import (  # noqa: F401
    aml_case_assign,
    aml_case_note_add,
    aml_case_resolve,
    aml_flag_raise,
)
from cashier.services.deposits import deposit_confirm, deposit_fail, deposit_initiate, deposits_expire  # noqa: F401
from cashier.services.gateway_status import (  # noqa: F401
    attention_requery,
    attention_resolve,
    gateway_status_sweep,
)
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
from cashier.services.webhooks import webhook_handle, webhook_sign  # noqa: F401
from cashier.services.withdrawals import (  # noqa: F401
    payout_send,
    withdrawal_approve,
    withdrawal_held_for_aml,
    withdrawal_payout_result,
    withdrawal_reject,
    withdrawal_request,
)
