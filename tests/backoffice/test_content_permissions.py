"""What every page shows, not only its status code: the content-level permission test.

Every URL of the product (walked from the URL resolver, so the pages of apps added later are covered
the day they exist) is rendered as every operator role and as agents inside and outside their tree: full
pages, their htmx partials and their CSV exports. Each template rendered (Django's ``template_rendered``
signal) hands its context to :class:`Found`, which finds every model instance in it: plain values,
querysets, lists, dicts, django-tables2 tables (their rows and what each column reads through). Every
row must be in ``type(obj).objects.restrict(user, "view")``; a row only named in another (a column, a
detail field: "By op7") must pass ``ScopedQuerySet.names`` (operators see who acted, agents never).
Agents' pages must also carry no AML text or link (tipping off), no system account, no staff-only
note, no segment (tag) name, no staff login, no reason staff typed (seeded with distinctive strings) and no
username or node code outside their tree; the text values of every table column (shown, hidden or
exported) are checked too. And what an agent may not do, it cannot do by POST either: the write check
posts to every action it may not perform and finds nothing changed.

A pattern with a ``pk`` whose model registered no objects (``tests.matrix.objects_for``), or with any other
URL argument, fails the test: a page is never skipped silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import django_tables2
import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models.query import QuerySet
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from backoffice.querysets import ScopedQuerySet
from backoffice.roles import ROLES
from cashier.choices import SYSTEM_KINDS, AccountKind
from players.choices import AgentFlag
from players.visibility import Visibility
from tests import matrix
from tests.backoffice import test_permission_matrix as _matrix_registrations  # noqa: F401
from tests.cashier import matrix_objects as _cashier_objects  # noqa: F401
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory, verify_otp
from tests.games import matrix_objects as _games_objects  # noqa: F401
from tests.players import matrix_objects as _players_objects  # noqa: F401

PRODUCT_APPS = {"backoffice", "players", "cashier", "games", "bonuses", "sportsbook", "reports"}
AGENTS = ("agent_a", "agent_a1", "agent_s", "agent_c", "agent_b")
STAFF_SECRET = "zq-staff-only-note"
# Reasons staff type, worded as a real operator might (AML): never an agent's to read.
STAFF_REASONS = ("zq-rejected AML suspected money laundering", "zq-suspended AML investigation SAR filed",
                 "zq-kyc AML source of funds", "zq-adjusted after AML review")
AML_TEXT = re.compile(r"\baml", re.IGNORECASE)


# --- the world: objects of every model, built once for the module -------------------------------------

def _build_world() -> dict:
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from cashier.models import AmlCase, PaymentGateway, WebhookEvent
    from cashier.services import aml_case_note_add
    from games.services import bonus_wagering_set, lobby_place, wallet_bet
    from players.models import Segment
    from players.services import (
        note_create,
        player_kyc_set,
        player_segments_set,
        rg_exclusion_start,
        rg_limit_set,
    )
    from tests.games import factories as gf

    flags = list(AgentFlag.values)
    agent_a = AgentFactory(code="ALPHA-MA", flags=flags)
    agent_a1 = AgentFactory(code="ALPHA-AG", parent=agent_a)
    agent_s = AgentFactory(code="ALPHA-SUB", parent=agent_a1)
    agent_c = AgentFactory(code="CHARLIE-AG", parent=agent_a)
    agent_b = AgentFactory(code="BRAVO-MA", flags=flags)
    agent_b1 = AgentFactory(code="BRAVO-AG", parent=agent_b, login=False)
    world = {
        "agent_a": agent_a, "agent_a1": agent_a1, "agent_s": agent_s, "agent_c": agent_c, "agent_b": agent_b,
        "agent_b1": agent_b1,
        "player_a": PlayerFactory(username="zq-alpha", agent=agent_a1, currency="USD"),  # its agents' (a move)
        "player_s": PlayerFactory(username="zq-sierra", agent=agent_s),
        "player_c": PlayerFactory(username="zq-charlie", agent=agent_c),
        "player_b": PlayerFactory(username="zq-bravo", agent=agent_b1),
        "player_casino": PlayerFactory(username="zq-casino", agent=None),
        "operators": {role: OperatorFactory(role=role) for role in ROLES},
    }
    for objects in matrix.OBJECTS.values():  # what the permission matrix requests, for every model
        objects(world)
    admin = world["operators"]["Administrator"]
    player_a = world["player_a"]
    note_create(player=player_a, text="Called about a bonus", channel="phone", actor=admin)
    note_create(player=player_a, text=STAFF_SECRET, actor=admin, visibility=Visibility.STAFF)
    player_kyc_set(player=player_a, status="pending", actor=admin, reason="documents asked")
    rg_limit_set(player=player_a, kind="deposit", period="day", amount=Decimal("100"), actor=admin, reason="asked")
    rg_exclusion_start(player=world["player_c"], kind="timeout", duration=timedelta(days=1), actor=admin)
    watch = Segment.objects.create(name="zq-watch-list", kind="static")
    player_segments_set(player=player_a, segments=[watch], actor=admin)
    case = AmlCase.objects.filter(player=player_a).first()
    aml_case_note_add(case_id=case.pk, text="Source of funds asked", actor=admin)
    g = world["games"]
    g["game"].jurisdictions.add(g["jurisdiction"])
    lobby_place(category_id=g["category"].pk, game=g["game"], actor=admin)
    session = gf.session(player_a, g["game"])
    wallet_bet(provider=g["provider"], token=session.token, tx_ref="zq-tx-1", round_ref="zq-round-1",
               game_ref=g["game"].external_id, amount=Decimal("1"), currency=player_a.currency)
    bonus_wagering_set(player_id=player_a.pk, active=True)
    WebhookEvent.objects.create(gateway=PaymentGateway.objects.first(), event_id="zq-ev", body_hash="0" * 64,
                                event_type="deposit", payload={}, outcome="ok")
    group = Group.objects.create(name="zq-agents")
    assign_perm("players.view_reports", group, agent_b)
    _staff_texts(world)
    return world


def _staff_texts(world) -> None:
    """Reasons staff typed, a staff-posted adjustment, a move across trees: what agents must never read."""
    from cashier.services import balance_adjust, withdrawal_reject
    from players.services import player_kyc_set, player_move, player_status_set

    ops, player_a = world["operators"], world["player_a"]
    risk, finance = ops["Risk & Compliance"], ops["Finance"]
    withdrawal_reject(withdrawal_id=matrix.OBJECTS["cashier.withdrawal"](world)["a"].pk, actor=risk,
                      reason=STAFF_REASONS[0])
    player_status_set(player=player_a, status="suspended", reason=STAFF_REASONS[1], actor=risk)
    player_status_set(player=player_a, status="active", reason="zq-cleared", actor=risk)
    player_kyc_set(player=player_a, status="rejected", reason=STAFF_REASONS[2], actor=risk)
    player_kyc_set(player=player_a, status="pending", reason="zq-new documents", actor=risk)
    balance_adjust(player=player_a, amount=Decimal("5"), reason_code="other", reason=STAFF_REASONS[3], actor=finance)
    # Through a sibling tree and back: its code stays staff-only on the timeline of agents A1 and S.
    player_move(player=player_a, agent=world["agent_c"], actor=ops["Administrator"])
    player_move(player=player_a, agent=world["agent_a1"], actor=ops["Administrator"])
    player_a.refresh_from_db()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once; every test of the module reads it inside its own rolled-back transaction."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def product_models(include_auto_created: bool = True):
    return [m for m in apps.get_models(include_auto_created=include_auto_created)
            if m._meta.app_label in PRODUCT_APPS]


# --- finding the model instances of a template context ---------------------------------------------

def _column_values(table, record):
    """The related instances a table's columns read from ``record`` (a round's player, an entry's account)."""
    for column in table.columns.iterall():
        value = record
        for bit in column.accessor.bits:
            value = getattr(value, bit, None) if not isinstance(value, dict) else value.get(bit)
            if isinstance(value, models.Model):
                yield value
            elif value is None:
                break


def _column_texts(table) -> list[str]:
    """The text of every cell of ``table``, hidden and exported columns included (what an export writes)."""
    texts = []
    for row in table.rows:
        for column in table.columns.iterall():
            try:
                texts.append(str(row.get_cell_value(column.name)))
            except Exception as exc:  # a cell that cannot render is a finding of its own
                texts.append(f"<{column.name}: {exc!r}>")
    return texts


class Found:
    """The model instances of a context: rows shown as such, and rows only *named* in other rows."""

    def __init__(self):
        self.rows: list[models.Model] = []
        self.named: list[models.Model] = []
        self.texts: list[str] = []  # the text values of table cells (text like a login name, not rows)
        self.seen: set[int] = set()

    def walk(self, value, *, named: bool = False):
        if id(value) in self.seen or value is None or isinstance(value, (str, bytes, int, float, Decimal)):
            return
        self.seen.add(id(value))
        if isinstance(value, models.Model):
            (self.named if named else self.rows).append(value)
        elif isinstance(value, django_tables2.Table):
            page = getattr(value, "page", None)
            for record in list(page.object_list) if page is not None else list(value.data):
                self.walk(record)
                self.named.extend(_column_values(value, record))
            self.texts.extend(_column_texts(value))
        elif isinstance(value, QuerySet):
            for row in value[:500]:
                self.walk(row, named=named)
        elif isinstance(value, dict):
            for key, v in value.items():
                self.walk(v, named=named or key == "fields")  # a detail page's (label, value) pairs name rows
        elif isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                self.walk(v, named=named)


class Renders:
    """Collects, per request, the context of every template rendered (``template_rendered``)."""

    def __init__(self):
        self.contexts: list[tuple[str, dict]] = []

    def __enter__(self):
        template_rendered.connect(self.receive)
        return self

    def __exit__(self, *exc):
        template_rendered.disconnect(self.receive)

    def receive(self, sender, template, context, **kwargs):
        self.contexts.append((template.name, context.flatten()))


def out_of_scope(user, found: Found) -> list[str]:
    """The rows not in their model's ``restrict(user, "view")`` (one query per model) and the named rows
    the user may not see named (``ScopedQuerySet.names``)."""
    by_model = defaultdict(dict)
    problems = []
    for obj in found.rows:
        if obj.pk is None or (isinstance(obj, type(user)) and obj.pk == user.pk):  # the viewer itself
            continue
        by_model[type(obj)][obj.pk] = obj
    for model, objs in by_model.items():
        qs = model._default_manager.all()
        if not isinstance(qs, ScopedQuerySet):
            problems.append(f"{model._meta.label} (no scoped manager): {sorted(objs)[:5]}")
            continue
        allowed = set(qs.restrict(user, "view").filter(pk__in=list(objs)).values_list("pk", flat=True))
        hidden = sorted(set(objs) - allowed)
        if hidden:
            problems.append(f"{model._meta.label} {hidden[:5]}: {[str(objs[pk])[:40] for pk in hidden[:3]]}")
    named = {(type(o), o.pk): o for o in found.named if o.pk is not None}
    for (model, _pk), obj in named.items():
        qs = model._default_manager.all()
        if not isinstance(qs, ScopedQuerySet) or not qs.names(user, obj):
            problems.append(f"names {model._meta.label} {obj.pk}: {str(obj)[:40]}")
    return problems


# --- the pages ------------------------------------------------------------------------------------------

def pages(world, *, agent: bool) -> list[tuple[str, str]]:
    """(name, url) of every page to render: lists (with their htmx partial and CSV export) and each object
    page for the objects of the matrix (operators: one of each; agents: own, sibling and foreign)."""
    found, unfillable = [], []
    for p in matrix.url_patterns():
        if p.name in matrix.EXEMPT:
            continue
        if p.arguments - {"pk"}:
            unfillable.append(f"{p.name}: URL arguments {sorted(p.arguments)} cannot be filled")
            continue
        if p.view_class is None:
            found.append((p.name, matrix.url_for(p)))
            continue
        if not p.has_pk:
            url = matrix.url_for(p)
            found += [(p.name, url), (f"{p.name} (htmx)", url + "#htmx")]
            if getattr(p.view_class, "table", None) is not None:
                found.append((f"{p.name} (csv)", url + "?export=csv"))
            continue
        label = p.model._meta.label_lower
        if label not in matrix.OBJECTS:
            unfillable.append(f"{p.name}: no objects registered for {label} (tests.matrix.objects_for)")
            continue
        objects = matrix.OBJECTS[label](world)
        chosen = {o.pk: o for o in (objects.values() if agent else [objects["a"]])}
        for obj in chosen.values():
            url = matrix.url_for(p, obj)
            found.append((p.name, url))
            if p.name.startswith(("players:player", "cashier:player_wallets")):
                found.append((f"{p.name} (htmx)", url + "#htmx"))
    assert not unfillable, "Pages the content test cannot fill:\n" + "\n".join(unfillable)
    return found


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    verify_otp(client, user)
    return client


def _forbidden_text(world, user) -> list[str]:
    """Strings that must not appear on ``user``'s pages: names of players and nodes outside its scope."""
    from players.models import Agent, Player

    players = {p.username for p in Player.objects.filter(username__startswith="zq-")}
    visible = set(Player.objects.restrict(user).filter(username__in=players).values_list("username", flat=True))
    nodes = {world[k].code for k in ("agent_a", "agent_a1", "agent_s", "agent_c", "agent_b", "agent_b1")}
    visible_nodes = set(Agent.objects.restrict(user).filter(code__in=nodes).values_list("code", flat=True))
    return sorted((players - visible) | (nodes - visible_nodes))


def _staff_only_texts() -> list[str]:
    """Segment (tag) names, the reasons staff typed, and every withdrawal hold reason."""
    from cashier.models import Withdrawal
    from players.models import Segment

    holds = {h for w in Withdrawal.objects.all() for h in w.hold_reasons or []}
    return sorted({*Segment.objects.values_list("name", flat=True), *STAFF_REASONS, "zq-cleared",
                   "zq-new documents", *holds})


def render_all(world, user, *, agent: bool) -> list[str]:
    client = _client(user)
    forbidden = _forbidden_text(world, user)
    system_labels = [AccountKind(k).label for k in SYSTEM_KINDS]
    staff_logins = re.compile("|".join(rf"\b{re.escape(u.username)}\b" for u in world["operators"].values()))
    staff_only = _staff_only_texts() if agent else []
    failures = []
    for name, url in pages(world, agent=agent):
        htmx = url.endswith("#htmx")
        url = url.removesuffix("#htmx")
        with Renders() as renders:
            response = client.get(url, HTTP_HX_REQUEST="true") if htmx else client.get(url)
        if response.status_code >= 500:
            failures.append(f"{name} {url}: {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        found = Found()
        for _template, context in renders.contexts:
            found.walk(context)
        failures += [f"{name} {url}: out of scope {p}" for p in out_of_scope(user, found)]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace") + "\n" + "\n".join(found.texts)
        failures += [f"{name} {url}: shows {s!r}" for s in forbidden if s in text]
        if agent:
            if AML_TEXT.search(text):
                failures.append(f"{name} {url}: AML text {AML_TEXT.search(text).group(0)!r} shown to an agent")
            failures += [f"{name} {url}: system account {s!r} shown to an agent" for s in system_labels if s in text]
            if staff_logins.search(text):
                failures.append(f"{name} {url}: staff login {staff_logins.search(text).group(0)!r} shown to an agent")
            if STAFF_SECRET in text:
                failures.append(f"{name} {url}: a staff-only note shown to an agent")
            failures += [f"{name} {url}: staff-only text {s!r} shown to an agent" for s in staff_only if s in text]
    return failures


# --- the tests ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(ROLES))
def test_operator_roles_see_only_what_they_may_view(world, db, role):
    failures = render_all(world, world["operators"][role], agent=False)
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)


@pytest.mark.parametrize("who", AGENTS)
def test_agents_see_only_their_tree_and_no_aml(world, db, who):
    failures = render_all(world, world[who].user, agent=True)
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)


def test_the_world_holds_objects_of_every_model(world, db):
    from django.contrib.auth import get_user_model

    empty = [m._meta.label for m in product_models() if not m._default_manager.exists()
             and m is not get_user_model()._meta.get_field("groups").remote_field.through
             and m is not get_user_model()._meta.get_field("user_permissions").remote_field.through]
    assert not empty, f"No object of {empty} in the content test's world: add them to _build_world()"


def test_agents_never_reach_their_parent_node(world, db):
    for child, parent in (("agent_a1", "agent_a"), ("agent_s", "agent_a1"), ("agent_c", "agent_a")):
        client = _client(world[child].user)
        assert client.get(world[parent].get_absolute_url()).status_code == 404
        own = client.get(world[child].get_absolute_url())
        assert own.status_code == 200 and world[parent].code not in own.content.decode()


# --- the write check ------------------------------------------------------------------------------------

def _agent_flags(agent) -> set[str]:
    return {f for f in AgentFlag.values if agent.user.has_perm(f"players.{f}", agent)}


@pytest.mark.parametrize("who", AGENTS)
def test_agents_change_nothing_they_may_not(world, db, who):
    """Every action page (forms that POST) an agent may not perform answers 403/404 to a POST and changes
    nothing (every change is audited: the audit log does not grow)."""
    from backoffice.models import AuditEvent
    from backoffice.views.generic import ActionView, ObjectEditView

    agent = world[who]
    client, flags = _client(agent.user), _agent_flags(agent)
    failures = []
    for p in matrix.url_patterns():
        if p.view_class is None or not issubclass(p.view_class, (ActionView, ObjectEditView)):
            continue
        objects = list(matrix.OBJECTS[p.model._meta.label_lower](world).values()) if p.has_pk else [None]
        for obj in {getattr(o, "pk", None): o for o in objects}.values():
            own = obj is None or p.model._default_manager.all().restrict(agent.user, "view").filter(pk=obj.pk).exists()
            if matrix.expected_for_agent(flags, p, own) == 200:
                continue
            before = AuditEvent.objects.count()
            status = client.post(matrix.url_for(p, obj), {}).status_code
            added = AuditEvent.objects.count() - before
            if status not in (403, 404) or added:
                failures.append(f"{p.name} {obj}: POST answered {status}, {added} audit row(s) added")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["agent_a", "agent_a1", "agent_s", "Support", "Finance", "Marketing"])
def test_tags_stay_as_they_are_for_who_may_not_change_segments(world, db, who):
    """The tags form posted empty (what a form without tag choices sends) removes nothing."""
    player = world["player_a"]
    user = world[who].user if who.startswith("agent") else world["operators"][who]
    before = sorted(player.segments.values_list("name", flat=True))
    assert before, "the world tags player_a"
    response = _client(user).post(reverse("players:player_tags", args=[player.pk]), {})
    assert response.status_code in (403, 404)
    assert sorted(player.segments.values_list("name", flat=True)) == before
