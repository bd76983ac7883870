"""Players and the agent hierarchy of the pay-per-head business.

Agent tree: master agent > agent > sub-agent, each node optionally linked to one login user. A node's
``path`` is the materialized path of primary keys (``/3/17/42/``), indexed for prefix matching, so a
sub-tree is one indexed ``LIKE '/3/17/%'``. Per-node flags (manage lines, add accounts ...) are
django-guardian object permissions held by the node's user on the node itself, stored in direct-FK
permission tables (``AgentUserObjectPermission``) rather than guardian's generic table.
"""

from .accounts import KycEvent, Player
from .activity import Note, TimelineEvent
from .agents import Agent, AgentGroupObjectPermission, AgentUserObjectPermission
from .rg import RgExclusion, RgLimit, RgUsage, limit_effective_amount, limit_pending_matured
from .segments import PlayerSegment, Segment

__all__ = [
    'Agent',
    'AgentGroupObjectPermission',
    'AgentUserObjectPermission',
    'KycEvent',
    'Note',
    'Player',
    'PlayerSegment',
    'RgExclusion',
    'RgLimit',
    'RgUsage',
    'Segment',
    'TimelineEvent',
    'limit_effective_amount',
    'limit_pending_matured',
]
