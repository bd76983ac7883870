"""Every URL of the product as anonymous, every operator role and agents inside and outside their tree."""

import pytest
from django.conf import settings

from backoffice.models import AuditEvent
from players.choices import AgentFlag
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
