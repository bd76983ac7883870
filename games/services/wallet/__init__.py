"""The seamless wallet (docs/wallet-api.md): authenticate, balance, bet, win, rollback, end-round.

Modules: ``operations`` (the calls), ``common`` (errors, answers, lookups, locks, writes, the fast path),
``bonus`` (the contract with the bonuses app), ``rules`` (the rules the SQL fast path repeats, named).

Every money operation is ONE database transaction holding: the lock on the player's cash and bonus
accounts (``accounts_lock``, which serializes a player's calls and makes RG check + usage atomic), the
``WalletTransaction`` row (unique per provider transaction id: the idempotency record), the round
update, the cashier ledger posting (``ledger_post``, idempotency key ``games:<provider>:<tx id>``),
the RG usage and the timeline row. A refusal raises :class:`WalletError` inside the transaction, so
nothing is written.

Idempotency under concurrency: a repeat is detected before the lock (fast path) and again after it
(the player lock serializes duplicates of the same player). Duplicates that name another player are
caught by the unique constraint or the ledger's idempotency key; the transaction is then rolled back
and the request answered from the committed original.

The audit log is not written per wallet call: the wallet transaction rows, rounds and ledger entries
are the record of these integration events (the audit chain's global lock would serialize every bet).
"""

from games.services.wallet.bonus import bonus_rules_apply, bonus_wagering_set  # noqa: F401
from games.services.wallet.common import Balances, WalletError, balances_get  # noqa: F401
from games.services.wallet.operations import (  # noqa: F401
    rounds_interrupt_stale,
    wallet_authenticate,
    wallet_balance,
    wallet_bet,
    wallet_end_round,
    wallet_rollback,
    wallet_win,
)
from games.services.wallet.rules import WALLET_SQL_RULES  # noqa: F401
