"""Constants of the cashier app."""

# How many rows a hot system account (house, clearing, bonus cost) is split into per currency.
# A posting locks one shard picked at random, so N shards let about N postings touch "the house" at once.
DEFAULT_SYSTEM_SHARDS = 16
# System kinds that must never go below zero are not sharded (one row, limit 0): a reserve and its
# release must meet on the same row.
UNSHARDED_KINDS = ("pending_withdrawals",)

# Withdrawal hold reasons (``Withdrawal.hold_reasons``) are operator staff's only: the AML one must never
# reach an agent (tipping off), and the others reveal settings agents may not view (the four-eyes
# threshold, the automatic approval rules). ``cashier.selectors.withdrawal_hold_reasons`` applies this;
# agents read the withdrawal's status ("Requested": awaiting review) and nothing of why.
HOLD_OPEN_AML_FLAGS = "The player has open AML flags."

# Keys of ``LedgerTransaction.metadata`` agents may read; the rest (a reason staff typed, who posted an
# adjustment) is operator staff's (``cashier.selectors.ledger_transaction_metadata``).
METADATA_FOR_AGENTS = frozenset({"reason_code", "gateway", "method", "gateway_reference", "reverses"})

# Manual adjustments (``cashier.services.adjustments``): per currency, ``AdjustmentPolicy`` rows set the
# ceiling (a larger adjustment is refused) and the four-eyes threshold (above it an adjustment waits for a
# second person). A currency without a row gets these defaults (the data migration writes them as rows for
# the major currencies, where operators edit them).
ADJUSTMENT_CEILING_DEFAULT = "50000"
ADJUSTMENT_FOUR_EYES_DEFAULT = "1000"
ADJUSTMENT_POLICY_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD")
