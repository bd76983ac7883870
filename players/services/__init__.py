"""Services of the players app (``from players.services import ...``).

* ``agents``: the agent hierarchy (create, flags, limits, moves);
* ``accounts``: players (create, edit, status, KYC, moves, notes, segments, login-lockout hook);
* ``rg``: responsible gambling, including ``rg_check`` and ``rg_usage_record`` that every money path calls;
* ``timeline``: ``timeline_record``, the one write path of the player timeline for every module.
"""

from players.services.accounts import (
    note_create,
    note_follow_up_done,
    player_create,
    player_credit_set,
    player_kyc_set,
    player_login_allowed,
    player_login_failed,
    player_login_succeeded,
    player_move,
    player_segments_set,
    player_status_set,
    player_update,
    players_marketable,
    segment_counts_refresh,
)
from players.services.agents import (
    MAX_DEPTH,
    agent_create,
    agent_flags_get,
    agent_flags_set,
    agent_limits_set,
    agent_move,
)
from players.services.rg import (
    RgDecision,
    rg_check,
    rg_exclusion_confirmation,
    rg_exclusion_start,
    rg_limit_confirm,
    rg_limit_confirmation,
    rg_limit_set,
    rg_limits_apply_matured,
    rg_overview,
    rg_reality_check_set,
    rg_usage_record,
)
from players.services.timeline import timeline_record

__all__ = [
    "MAX_DEPTH", "RgDecision", "agent_create", "agent_flags_get", "agent_flags_set", "agent_limits_set", "agent_move",
    "note_create", "note_follow_up_done", "player_create", "player_credit_set", "player_kyc_set",
    "player_login_allowed", "player_login_failed", "player_login_succeeded", "player_move", "player_segments_set",
    "player_status_set", "player_update", "players_marketable", "rg_check", "rg_exclusion_confirmation",
    "rg_exclusion_start", "rg_limit_confirm", "rg_limit_confirmation", "rg_limit_set", "rg_limits_apply_matured",
    "rg_overview", "rg_reality_check_set", "rg_usage_record", "segment_counts_refresh", "timeline_record",
]
