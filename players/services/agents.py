"""Agent hierarchy services: create nodes, set flags and limits, move nodes and players between nodes."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from backoffice.exceptions import ApplicationError
from backoffice.money import to_decimal
from backoffice.querysets import agent_for_user, agent_has_flag
from backoffice.services import audit_record, snapshot
from players.choices import AgentFlag
from players.models import Agent

MAX_DEPTH = 3


def agent_flags_get(*, agent: Agent) -> list[str]:
    if agent.user_id is None:
        return []
    held = set(get_perms(agent.user, agent))
    return [f.value for f in AgentFlag if f.value in held]


def _check_limits_within_parent(parent: Agent | None, credit_limit: Decimal, max_wager: Decimal,
                                currency: str) -> None:
    if credit_limit < 0 or max_wager < 0:
        raise ApplicationError("Limits cannot be negative.", code="limit")
    if parent is None:
        return
    if currency != parent.currency:
        raise ApplicationError(f"A sub-agent of {parent.code} must use {parent.currency}.", code="currency")
    if credit_limit > parent.credit_limit:
        raise ApplicationError(f"Credit limit cannot exceed the parent's ({parent.credit_limit}).", code="limit")
    if max_wager > parent.max_wager:
        raise ApplicationError(f"Max wager cannot exceed the parent's ({parent.max_wager}).", code="limit")


@transaction.atomic
def agent_create(*, code: str, name: str, parent: Agent | None = None, currency: str = "USD",
                 credit_limit: Decimal | str = "0", max_wager: Decimal | str = "0",
                 flags: list[str] | None = None, username: str | None = None, password: str | None = None,
                 actor=None) -> tuple[Agent, str | None]:
    """Create an agent node (with an optional login). Returns (agent, generated or given password)."""
    credit_limit, max_wager = to_decimal(credit_limit), to_decimal(max_wager)
    if Agent.objects.filter(code__iexact=code).exists():
        raise ApplicationError(f"An agent with code {code!r} already exists.", code="duplicate")
    if parent is not None:
        parent = Agent.objects.select_for_update().get(pk=parent.pk)
        if parent.level >= MAX_DEPTH:
            raise ApplicationError("Sub-agents cannot have agents below them.", code="depth")
    _check_limits_within_parent(parent, credit_limit, max_wager, currency)
    flags = list(flags or [])
    unknown = set(flags) - set(AgentFlag.values)
    if unknown:
        raise ApplicationError(f"Unknown flags: {', '.join(sorted(unknown))}.", code="flags")
    acting_agent = agent_for_user(actor) if actor is not None else None
    if acting_agent is not None:
        if parent is None or not parent.path.startswith(acting_agent.path):
            raise ApplicationError("Agents can only create nodes inside their own sub-tree.", code="scope")
        missing = set(flags) - set(agent_flags_get(agent=acting_agent))
        if missing:
            raise ApplicationError("An agent cannot grant flags it does not hold.", code="flags")

    user = None
    if username:
        User = get_user_model()
        if User.objects.filter(username__iexact=username).exists():
            raise ApplicationError(f"A login named {username!r} already exists.", code="duplicate")
        password = password or secrets.token_urlsafe(12)
        user = User(username=username)
        user.set_password(password)
        user.save()

    agent = Agent(code=code, name=name, parent=parent, currency=currency, credit_limit=credit_limit,
                  max_wager=max_wager, user=user, level=(parent.level + 1) if parent else 1, path="")
    agent.full_clean(exclude=["path"])
    agent.save()
    agent.path = f"{parent.path if parent else '/'}{agent.pk}/"
    agent.save(update_fields=["path"])
    if user is not None:
        for flag in flags:
            assign_perm(f"players.{flag}", user, agent)
    audit_record(actor=actor, action="agent.create", target=agent,
                 after={**snapshot(agent), "flags": sorted(flags), "username": username or ""})
    return agent, password


@transaction.atomic
def agent_flags_set(*, agent: Agent, flags: list[str], actor=None, reason: str = "") -> Agent:
    """Set exactly these flags on the agent's node. An acting agent can grant only flags it holds."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    if agent.user_id is None:
        raise ApplicationError("This agent has no login to hold flags.", code="no_login")
    unknown = set(flags) - set(AgentFlag.values)
    if unknown:
        raise ApplicationError(f"Unknown flags: {', '.join(sorted(unknown))}.", code="flags")
    before = agent_flags_get(agent=agent)
    acting_agent = agent_for_user(actor) if actor is not None else None
    if acting_agent is not None:
        if not agent.is_descendant_of(acting_agent):
            raise ApplicationError("Agents can only change nodes below their own.", code="scope")
        held = set(agent_flags_get(agent=acting_agent))
        if (set(flags) ^ set(before)) - held:
            raise ApplicationError("An agent cannot grant or revoke flags it does not hold.", code="flags")
    for flag in AgentFlag.values:
        perm = f"players.{flag}"
        if flag in flags and flag not in before:
            assign_perm(perm, agent.user, agent)
        elif flag not in flags and flag in before:
            remove_perm(perm, agent.user, agent)
    after = agent_flags_get(agent=agent)
    if after != before:
        audit_record(actor=actor, action="agent.flags", target=agent, before={"flags": before},
                     after={"flags": after}, reason=reason)
    return agent


def _subtree_depth(agent: Agent) -> int:
    """Levels below ``agent`` in its sub-tree (0 for a leaf)."""

    deepest = Agent.objects.subtree_of(agent).aggregate(m=Max("level"))["m"] or agent.level
    return deepest - agent.level


@transaction.atomic
def agent_move(*, agent: Agent, parent: Agent | None, reason: str = "", actor=None) -> Agent:
    """Move an agent node (with its sub-tree and players) under another parent. Audited.

    Refused under its own descendant (or itself), past the depth of three levels, across currencies or
    with limits above the new parent's. Every path and level of the moved sub-tree is rewritten by one
    UPDATE (the materialized path keeps sub-tree queries to a prefix match).
    """
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    if parent is not None:
        parent = Agent.objects.select_for_update().get(pk=parent.pk)
        if parent.pk == agent.pk or parent.path.startswith(agent.path):
            raise ApplicationError("An agent cannot be moved under itself or its own descendant.", code="cycle")
    if (agent.parent_id or None) == (parent.pk if parent else None):
        raise ApplicationError("The agent is already there.", code="unchanged")
    new_level = parent.level + 1 if parent else 1
    if new_level + _subtree_depth(agent) > MAX_DEPTH:
        raise ApplicationError("The move would make the tree deeper than three levels.", code="depth")
    if parent is not None:
        _check_limits_within_parent(parent, agent.credit_limit, agent.max_wager, agent.currency)
    acting = agent_for_user(actor) if actor is not None else None
    # Moving a node moves its players with it: the same flag as moving a player, never "Add accounts" alone.
    if acting is not None and not agent_has_flag(actor, acting, "players.move_players"):
        raise ApplicationError("Moving agents needs the \"Move players\" flag on your node.", code="flag")
    if acting is not None and (not agent.is_descendant_of(acting) or parent is None
                               or not parent.path.startswith(acting.path)):
        raise ApplicationError("Agents can only move nodes inside their own sub-tree.", code="scope")
    old_path, before_parent = agent.path, agent.parent.code if agent.parent_id else None
    new_path = f"{parent.path if parent else '/'}{agent.pk}/"
    delta = new_level - agent.level

    with connection.cursor() as cur:
        # One statement for the whole sub-tree: prefix swap on path, shift of level.
        cur.execute("UPDATE players_agent SET path = %s || substr(path, %s), level = level + %s "
                    "WHERE path LIKE %s", [new_path, len(old_path) + 1, delta, old_path.replace("%", r"\%") + "%"])
        moved = cur.rowcount
    Agent.objects.filter(pk=agent.pk).update(parent=parent)
    agent.refresh_from_db()
    audit_record(actor=actor, action="agent.move", target=agent, reason=reason,
                 before={"parent": before_parent, "path": old_path},
                 after={"parent": parent.code if parent else None, "path": new_path, "nodes_moved": moved})
    return agent


@transaction.atomic
def agent_limits_set(*, agent: Agent, credit_limit, max_wager, reason: str = "", actor=None) -> Agent:
    """Set a node's credit limit and max wager: within its parent's, and not below any child's."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    try:
        credit_limit, max_wager = to_decimal(credit_limit), to_decimal(max_wager)
    except (TypeError, ValueError):
        raise ApplicationError("Limits must be numbers.", code="limit") from None
    _check_limits_within_parent(agent.parent, credit_limit, max_wager, agent.currency)

    children = agent.children.aggregate(c=Max("credit_limit"), w=Max("max_wager"))
    if children["c"] is not None and (credit_limit < children["c"] or max_wager < children["w"]):
        raise ApplicationError("A sub-agent has higher limits; lower theirs first.", code="limit")
    acting = agent_for_user(actor) if actor is not None else None
    if acting is not None and not agent.is_descendant_of(acting):
        raise ApplicationError("Agents can only change nodes below their own.", code="scope")
    before = snapshot(agent, fields=["credit_limit", "max_wager"])
    agent.credit_limit, agent.max_wager = credit_limit, max_wager
    agent.save(update_fields=["credit_limit", "max_wager"])
    audit_record(actor=actor, action="agent.limits", target=agent, before=before,
                 after=snapshot(agent, fields=["credit_limit", "max_wager"]), reason=reason)
    return agent
