"""The cashier's double-entry ledger.

Design overview
===============

Accounts
    An :class:`Account` holds money in exactly one currency. Player accounts belong to a player and
    are created on first use, in the player's currency: ``player_cash`` (the wallet), ``player_bonus``
    (bonus money, spent after cash) and ``player_credit`` (a pay-per-head credit line). System accounts
    have no player: ``house`` (the operator's own money: GGR lands here), ``gateway_clearing`` (money a
    payment gateway owes us or we owe it), ``pending_withdrawals`` (reserved for requested payouts),
    ``bonus_cost`` (bonus money granted) and ``agent_settlement`` (PPH settle-ups).

Transactions and entries (legs)
    A :class:`LedgerTransaction` is one business event (a deposit, a bet, an adjustment) with a unique
    ``idempotency_key``, a ``kind``, a reference, who did it (``actor`` or ``integration``) and metadata.
    Its :class:`Entry` rows are the legs: one signed amount on one account each.

Sign convention
    ``Account.balance`` is the sum of its entries' amounts. A **positive** amount increases the
    account, a **negative** one decreases it, whatever the account kind. A deposit of 100 EUR is
    ``player_cash +100, gateway_clearing -100``; a 5 EUR bet is ``player_cash -5, house +5``; a win of
    8 is ``house -8, player_cash +8``. A system account going negative is normal (the clearing account
    is negative while the gateway owes us the money; the house is negative after a lucky player).

Rules (enforced in the database, not only here)
    * The entries of a transaction sum to zero per currency: a DEFERRABLE INITIALLY DEFERRED
      constraint trigger on ``cashier_entry`` checks it at commit (cashier/sql/cashier_entry_check_balanced.sql).
    * Each entry is in its account's currency (``Entry.currency`` is checked against the account by
      the same deferred trigger) and a wallet never mixes currencies.
    * ``balance >= -credit_limit`` is a CHECK constraint on the account; ``credit_limit`` NULL means
      unlimited (system accounts except pending withdrawals). Player cash and bonus have limit 0;
      a credit line's limit is the player's credit.
    * Entries and transactions are append-only: triggers refuse UPDATE and DELETE. A correction is a
      reversing transaction (``ledger_reverse``), never an edit.
    * ``Entry.balance_after`` is the account's balance right after that entry; ``balance_after -
      amount`` is the balance before. The cached ``Account.balance`` is changed in the same database
      transaction as the entries, under a row lock (``SELECT ... FOR NO KEY UPDATE``) taken in
      ascending account id order, so concurrent postings never lose an update and never deadlock.

Hot system accounts
    Every bet touches the house. One house row per currency would serialize every posting of the
    product behind one row lock (about 2.7k postings/s on this hardware, flat with clients). System
    accounts are therefore split into ``shard`` rows (``constants.DEFAULT_SYSTEM_SHARDS``): a posting
    locks one shard picked at random; the house balance is the sum of its shards. See
    docs/architecture.md, "Ledger".
"""

from .adjustments import Adjustment, AdjustmentPolicy
from .aml import AmlCase, AmlCaseNote, AmlFlag, AmlThreshold
from .attention import AttentionItem
from .fx import FxRate, ReconciliationRun
from .ledger import Account, Entry, LedgerTransaction
from .payments import (
    AutoApprovalRule,
    Deposit,
    PaymentGateway,
    PaymentMethod,
    WebhookEvent,
    Withdrawal,
    WithdrawalPolicy,
    _new_secret,
)

__all__ = [
    'Account',
    'Adjustment',
    'AdjustmentPolicy',
    'AmlCase',
    'AmlCaseNote',
    'AmlFlag',
    'AmlThreshold',
    'AttentionItem',
    'AutoApprovalRule',
    'Deposit',
    'Entry',
    'FxRate',
    'LedgerTransaction',
    'PaymentGateway',
    'PaymentMethod',
    'ReconciliationRun',
    'WebhookEvent',
    'Withdrawal',
    'WithdrawalPolicy',
    '_new_secret',
]
