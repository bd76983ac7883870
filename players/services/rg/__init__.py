"""Responsible gambling: limits, time-outs, self-exclusion, reality checks, and the one check every money
path calls (``rg_check``) with the usage recorder it reads (``rg_usage_record``).

Rules (the market profile in ``players.rg_profiles`` supplies the numbers):

* deposit, loss and wager limits per 24 hours, 7 days and 1 month (rolling 30 days); the lowest of all
  limits in force applies; a player's own limit can never be set above an operator-imposed one of the
  same kind and period, and in any case the lower of the two applies;
* a player's decrease applies at once; an increase (or removal) waits for the cooling-off (24 h) and,
  when the profile says so (UKGC), for the player's reaffirmation after it; operator limits apply at once;
* time-outs (24 h to 6 weeks) and self-exclusion (6 months to 5 years, or indefinite) apply at once and
  cannot be lifted early (no service does it);
* loss = wagers - wins over the window; a bet is refused when losing all of it would pass a loss limit.
"""

from .checks import (
    _LIMIT_COLS,
    BET_LIMIT_KINDS,
    DEPOSIT_LIMIT_KINDS,
    MAX_LIMIT,
    WINDOWS,
    LimitState,
    RgDecision,
    _active_exclusion_rows,
    _hour,
    _window_start,
    active_exclusions,
    effective_limits,
    limit_states,
    rg_check,
    rg_usage_record,
    usage_totals,
)
from .exclusions import _exclusion_check, _until, rg_exclusion_confirmation, rg_exclusion_start, rg_reality_check_set
from .limits import (
    _clear_pending,
    _describe,
    _limit_snapshot,
    _lock_player,
    _materialize,
    rg_limit_confirm,
    rg_limit_confirmation,
    rg_limit_set,
    rg_limit_source,
    rg_limits_apply_matured,
)
from .overview import rg_overview

__all__ = [
    'BET_LIMIT_KINDS',
    'DEPOSIT_LIMIT_KINDS',
    'MAX_LIMIT',
    'WINDOWS',
    '_LIMIT_COLS',
    'LimitState',
    'RgDecision',
    '_active_exclusion_rows',
    '_clear_pending',
    '_describe',
    '_exclusion_check',
    '_hour',
    '_limit_snapshot',
    '_lock_player',
    '_materialize',
    '_until',
    '_window_start',
    'active_exclusions',
    'effective_limits',
    'limit_states',
    'rg_check',
    'rg_exclusion_confirmation',
    'rg_exclusion_start',
    'rg_limit_confirm',
    'rg_limit_confirmation',
    'rg_limit_set',
    'rg_limit_source',
    'rg_limits_apply_matured',
    'rg_overview',
    'rg_reality_check_set',
    'rg_usage_record',
    'usage_totals',
]
