"""Constants of the cashier app."""

# How many rows a hot system account (house, clearing, bonus cost) is split into per currency.
# A posting locks one shard picked at random, so N shards let about N postings touch "the house" at once.
DEFAULT_SYSTEM_SHARDS = 16
# System kinds that must never go below zero are not sharded (one row, limit 0): a reserve and its
# release must meet on the same row.
UNSHARDED_KINDS = ("pending_withdrawals",)

# Withdrawal hold reasons (``Withdrawal.hold_reasons``) and who may read them. AML reasons are operator
# staff's only: an agent must never learn that its player is under AML review (tipping off).
# ``cashier.selectors.withdrawal_hold_reasons`` applies this; reasons not listed are visible to agents.
HOLD_OPEN_AML_FLAGS = "The player has open AML flags."
HOLD_REASON_STAFF_ONLY = frozenset({HOLD_OPEN_AML_FLAGS})
