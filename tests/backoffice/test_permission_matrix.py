"""Every URL of the product as anonymous, every operator role and agents inside and outside their tree."""

import pytest
from django.conf import settings
from django.urls import reverse

from backoffice.exceptions import ApplicationError
from backoffice.models import AuditEvent
from players.choices import AgentFlag
from players.services import agent_flags_set, player_move, player_status_set, player_update
from tests import matrix
from tests.cashier import matrix_objects as _cashier_matrix_objects  # noqa: F401
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory
from tests.games import matrix_objects as _games_matrix  # noqa: F401
from tests.players import matrix_objects as _players_matrix  # noqa: F401


@matrix.objects_for("players.player")
def _players(world):
    return {"a": world["player_a"], "c": world["player_c"], "foreign": world["player_b"]}


@matrix.objects_for("players.agent")
def _agents(world):
    return {"a": world["agent_a1"], "c": world["agent_c"], "foreign": world["agent_b1"]}


@matrix.objects_for("backoffice.user")
def _users(world):
    staff = world["operators"]["Support"]
    return {"a": world["agent_a"].user, "c": world["agent_c"].user, "foreign": staff}


@matrix.objects_for("backoffice.auditevent")
def _audit(world):
    event = AuditEvent.objects.order_by("seq").first()
    return {"a": event, "c": event, "foreign": event}


@matrix.objects_for("backoffice.exportjob")
def _export_jobs(world):
    """A finished export job each for agents A and C and for an operator (everyone sees only its own)."""
    from backoffice.models import ExportJob

    if "export_jobs" not in world:
        owners = {"a": world["agent_a"].user, "c": world["agent_c"].user, "foreign": world["operators"]["Support"]}
        world["export_jobs"] = {
            key: ExportJob.objects.create(user=user, path="/players/", query="q=zq", format="csv", title="Players",
                                          object_type="players.player", status="done", rows_done=1, rows_total=1)
            for key, user in owners.items()}
    return world["export_jobs"]


@pytest.fixture
def world(db):
    all_flags = list(AgentFlag.values)
    agent_a = AgentFactory(code="MA-A", flags=all_flags)
    agent_a1 = AgentFactory(code="AG-A1", parent=agent_a, login=False)
    agent_c = AgentFactory(code="AG-C", parent=agent_a, flags=[])
    agent_b = AgentFactory(code="MA-B", flags=all_flags)
    agent_b1 = AgentFactory(code="AG-B1", parent=agent_b, login=False)
    return {
        "agent_a": agent_a, "agent_a1": agent_a1, "agent_c": agent_c, "agent_b": agent_b, "agent_b1": agent_b1,
        "player_a": PlayerFactory(agent=agent_a1), "player_c": PlayerFactory(agent=agent_c),
        "player_b": PlayerFactory(agent=agent_b1), "player_casino": PlayerFactory(agent=None),
        "operators": {role: OperatorFactory(role=role) for role in matrix.ROLE_NAMES},
    }


def object_pages():
    return [p for p in matrix.url_patterns() if p.name not in matrix.EXEMPT | matrix.OPEN_TO_ALL_USERS]


def test_every_url_is_in_the_matrix():
    uncovered = []
    for p in matrix.url_patterns():
        if p.name in matrix.EXEMPT | matrix.OPEN_TO_ALL_USERS:
            continue
        if p.view_class is None or getattr(p.view_class, "queryset", None) is None:
            uncovered.append(f"{p.name}: not a generic view; add it to EXEMPT or OPEN_TO_ALL_USERS with a test")
        elif p.has_pk and p.model._meta.label_lower not in matrix.OBJECTS:
            uncovered.append(f"{p.name}: register objects for {p.model._meta.label_lower} with @objects_for")
    assert not uncovered, "\n".join(uncovered)


def test_anonymous_is_sent_to_login(world, client):
    for p in object_pages() + [q for q in matrix.url_patterns() if q.name in matrix.OPEN_TO_ALL_USERS]:
        obj = matrix.OBJECTS[p.model._meta.label_lower](world)["foreign"] if p.has_pk else None
        url = matrix.url_for(p, obj)
        response = client.get(url)
        assert response.status_code == 302, p.name
        assert response["Location"].startswith(f"/{settings.LOGIN_URL}/") or "/login/" in response["Location"]


def test_operator_roles(world, login):
    perm_names = matrix.all_permission_names()
    failures = []
    for role, user in world["operators"].items():
        client = login(user)
        for p in object_pages():
            obj = matrix.OBJECTS[p.model._meta.label_lower](world)["foreign"] if p.has_pk else None
            expected = matrix.expected_for_role(role, p, perm_names)
            got = client.get(matrix.url_for(p, obj)).status_code
            if got != expected:
                failures.append(f"{role} GET {p.name}: expected {expected}, got {got}")
        assert client.get("/").status_code == 200
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["a", "c"])
def test_agents_inside_and_outside_their_tree(world, login, who):
    agent = world["agent_a"] if who == "a" else world["agent_c"]
    flags = set(AgentFlag.values) if who == "a" else set()
    client = login(agent.user)
    failures = []
    for p in object_pages():
        objects = matrix.OBJECTS[p.model._meta.label_lower](world) if p.has_pk else {}
        cases = [("own", objects.get(who)), ("foreign", objects.get("foreign"))] if p.has_pk else [("list", None)]
        for kind, obj in cases:
            expected = matrix.expected_for_agent(flags, p, own=kind != "foreign")
            got = client.get(matrix.url_for(p, obj)).status_code
            if got != expected:
                failures.append(f"agent {agent.code} GET {p.name} ({kind}): expected {expected}, got {got}")
    assert client.get("/").status_code == 200
    assert not failures, "\n".join(failures)


def _flags_needed(pattern) -> set[str] | None:
    """The agent flags a URL needs (empty: any agent), or None when agents never reach it."""
    needed = set()
    for model, action in matrix._requirements(pattern):
        actions = type(model._default_manager.all()).agent_actions
        if action not in actions:
            return None
        if actions[action] is not None:
            needed.add(actions[action].split(".", 1)[1])
    return needed


def test_every_agent_action_url_answers_to_its_own_flag(world, login):
    """Each URL an agent reaches through a flag: 200 with exactly the flags it needs, 403 without any one of
    them (all the other flags held), on an object of the agent's own tree."""
    agent = world["agent_a"]
    client = login(agent.user)
    flagged = [(p, needed) for p in object_pages() if (needed := _flags_needed(p))]
    assert {p.name for p, _ in flagged} >= {"players:player_status", "players:player_move", "players:player_edit",
                                            "players:player_add", "players:player_limit_set"}
    failures = []
    for p, needed in flagged:
        obj = matrix.OBJECTS[p.model._meta.label_lower](world)["a"] if p.has_pk else None
        url = matrix.url_for(p, obj)
        agent_flags_set(agent=agent, flags=sorted(needed))
        if (got := client.get(url).status_code) != 200:
            failures.append(f"{p.name} with {sorted(needed)}: expected 200, got {got}")
        for flag in needed:
            agent_flags_set(agent=agent, flags=sorted(set(AgentFlag.values) - {flag}))
            if (got := client.get(url).status_code) != 403:
                failures.append(f"{p.name} without {flag}: expected 403, got {got}")
    assert not failures, "\n".join(failures)


def test_add_accounts_alone_neither_changes_status_nor_moves_nor_marks_test_accounts(world, login):
    agent = world["agent_a"]
    agent_flags_set(agent=agent, flags=["add_accounts"])
    client = login(agent.user)
    player = world["player_a"]
    assert client.get(reverse("players:player_status", args=[player.pk])).status_code == 403
    assert client.get(reverse("players:player_move", args=[player.pk])).status_code == 403
    edit = client.get(reverse("players:player_edit", args=[player.pk])).content.decode()
    add = client.get(reverse("players:player_add")).content.decode()
    assert 'name="is_test"' not in edit and 'name="is_test"' not in add
    client.post(reverse("players:player_edit", args=[player.pk]),
                {"country": "MT", "vip_level": "0", "is_test": "on", "email": player.email})
    player.refresh_from_db()
    assert not player.is_test
    with pytest.raises(ApplicationError, match="operator staff"):
        player_update(player=player, is_test=True, actor=agent.user)
    with pytest.raises(ApplicationError, match="permission"):
        player_status_set(player=player, status="suspended", reason="x", actor=agent.user)
    usd = PlayerFactory(agent=world["agent_a1"], currency="USD")
    with pytest.raises(ApplicationError, match="permission"):
        player_move(player=usd, agent=world["agent_c"], actor=agent.user, reason="x")
    agent_flags_set(agent=agent, flags=["change_status", "move_players"])
    assert player_status_set(player=player, status="suspended", reason="x", actor=agent.user).status == "suspended"
    assert player_move(player=usd, agent=world["agent_c"], actor=agent.user, reason="x").agent == world["agent_c"]
    support = login(world["operators"]["Support"])
    assert 'name="is_test"' in support.get(reverse("players:player_edit", args=[player.pk])).content.decode()
    assert support.get(reverse("players:player_status", args=[player.pk])).status_code == 200


def test_an_id_outside_the_scope_answers_like_a_missing_one(world, login):
    """An agent without the action's flag: 403 on its own player, 404 on another tree's and on a missing id."""
    client = login(world["agent_c"].user)  # no flags
    for name in ("players:player_status", "players:player_move", "players:player_limit_set", "players:player_edit"):
        assert client.get(reverse(name, args=[world["player_c"].pk])).status_code == 403, name
        assert client.get(reverse(name, args=[world["player_b"].pk])).status_code == 404, name
        assert client.get(reverse(name, args=[10**9])).status_code == 404, name
