"""Constants of the cashier app."""

# How many rows a hot system account (house, clearing, bonus cost) is split into per currency.
# A posting locks one shard picked at random, so N shards let about N postings touch "the house" at once.
DEFAULT_SYSTEM_SHARDS = 16
# System kinds that must never go below zero are not sharded (one row, limit 0): a reserve and its
# release must meet on the same row.
UNSHARDED_KINDS = ("pending_withdrawals",)
