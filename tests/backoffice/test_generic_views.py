"""The generic list/detail/edit/action views through real pages: filters, htmx, export, pagination."""

import csv
import io
import re

import pytest
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from backoffice.models import AuditEvent
from backoffice.paginator import FastPaginator
from players.models import Agent, Player
from tests.factories import AgentFactory, PlayerFactory


@pytest.fixture
def tree(db):
    a = AgentFactory(code="MA-X", flags=["add_accounts"])
    a1 = AgentFactory(code="AG-X1", parent=a, flags=[])
    b = AgentFactory(code="MA-Y", flags=["add_accounts"])
    for i in range(3):
        PlayerFactory(username=f"x{i}", agent=a1)
    PlayerFactory(username="y0", agent=b)
    PlayerFactory(username="casino0", agent=None)
    return {"a": a, "a1": a1, "b": b}


def _listed(body: str) -> set[str]:
    """The usernames a player list shows (link texts: a bare "x0" also turns up in random CSRF tokens)."""
    return set(re.findall(r'<a href="/players/\d+/">([^<]+)</a>', body))


def test_list_filters_and_scoping(login, admin_user, tree):
    admin = login(admin_user)
    assert {"x0", "x1", "x2", "y0", "casino0"} <= _listed(admin.get("/players/").content.decode())
    filtered = _listed(admin.get("/players/", {"agent": tree["b"].pk}).content.decode())
    assert "y0" in filtered and "x0" not in filtered
    agent_page = _listed(login(tree["a"].user).get("/players/").content.decode())
    assert "x0" in agent_page and "y0" not in agent_page and "casino0" not in agent_page


def test_agent_dropdowns_are_restricted(login, tree):
    response = login(tree["a"].user).get("/players/")
    choices = {str(c) for c in response.context["filterset"].form.fields["agent"].queryset}
    assert any("MA-X" in c for c in choices) and not any("MA-Y" in c for c in choices)


def test_invalid_filter_input_is_a_form_error_not_a_500(login, admin_user, tree):
    response = login(admin_user).get("/players/", {"status": "nonsense", "agent": "abc", "per_page": "lots"})
    assert response.status_code == 200
    assert response.context["filterset"].errors
    assert "No Activity" in response.content.decode()


def test_htmx_gets_the_table_partial_with_vary(login, admin_user, tree):
    response = login(admin_user).get("/players/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="object-table"') and "<html" not in body
    assert "HX-Request" in response["Vary"]
    boosted = login(admin_user).get("/players/", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert "<html" in boosted.content.decode()


HISTORY_RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def test_history_restore_gets_the_full_page(login, admin_user, tree):
    """The Back button with no cached snapshot: htmx swaps the whole body, so a bare fragment breaks the page."""
    client = login(admin_user)
    player = PlayerFactory()
    for url in ("/players/", reverse("players:player_kyc", args=[player.pk]),
                reverse("cashier:player_wallets", args=[player.pk])):
        response = client.get(url, **HISTORY_RESTORE)
        assert response.status_code == 200 and "<html" in response.content.decode(), url
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"HX-Request", "HX-History-Restore-Request"} <= vary, url


def test_the_player_page_keeps_the_vary_headers_of_the_middleware(login, admin_user):
    """The tab view adds to ``Vary``; it used to overwrite the header with ``HX-Request`` alone."""
    player = PlayerFactory()
    response = login(admin_user).get(reverse("players:player", args=[player.pk]))
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Cookie", "HX-Request", "HX-History-Restore-Request"} <= vary


def test_csv_export_uses_the_filtered_restricted_rows_and_is_audited(login, tree):
    client = login(tree["a"].user)
    response = client.get("/players/", {"export": "csv", "q": "x1"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["ID", "Username"]
    assert [r[1] for r in rows[1:]] == ["x1"]
    everything = client.get("/players/", {"export": "csv"})
    names = {r[1] for r in list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))[1:]}
    assert names == {"x0", "x1", "x2"}
    assert AuditEvent.objects.filter(action="export", actor=tree["a"].user, object_type="players.player").count() == 2


def test_csv_export_neutralises_formulas(login, admin_user, db):
    PlayerFactory(username="evil", first_name="=HYPERLINK(1)")
    response = login(admin_user).get("/players/", {"export": "csv", "q": "evil"})
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


def test_xlsx_export(login, admin_user, tree):
    response = login(admin_user).get("/agents/" if False else "/players/agents/", {"export": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "Code"
    assert {r[0] for r in rows[1:]} == set(Agent.objects.values_list("code", flat=True))


def test_paginator_counts_exactly_up_to_the_limit_then_estimates(db):
    PlayerFactory.create_batch(12)
    exact = FastPaginator(Player.objects.order_by("pk"), 5, exact_limit=50)
    assert exact.count == 12 and not exact.count_is_estimate and exact.num_pages == 3
    estimated = FastPaginator(Player.objects.order_by("pk"), 5, exact_limit=10)
    assert estimated.count >= 11 and estimated.count_is_estimate
    far = estimated.page(estimated.num_pages + 5)  # past the real end: empty, not an error
    assert list(far.object_list) == []


def test_detail_page_shows_activity_and_buttons(login, admin_user, tree):
    response = login(admin_user).get(f"/players/agents/{tree['a1'].pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "agent.create" in body and "Flags" in body and "Edit" in body


def test_edit_view_saves_with_audit_and_form_errors(login, admin_user, tree):
    client = login(admin_user)
    url = f"/players/agents/{tree['a1'].pk}/edit/"
    bad = client.post(url, {"name": "", "is_active": "on"})
    assert bad.status_code == 200 and bad.context["form"].errors
    ok = client.post(url, {"name": "Renamed desk", "is_active": "on"})
    assert ok.status_code == 302
    event = AuditEvent.objects.filter(action="agent.change").latest("seq")
    assert event.before["name"] == "Agent AG-X1" and event.after["name"] == "Renamed desk"
    assert event.actor == admin_user


def test_action_view_calls_the_service_and_reports_its_refusal(login, tree):
    client = login(tree["a"].user)  # holds add_accounts only
    url = f"/players/agents/{tree['a1'].pk}/flags/"
    ok = client.post(url, {"flags": ["add_accounts"], "reason": "promoted"})
    assert ok.status_code == 302
    event = AuditEvent.objects.filter(action="agent.flags").latest("seq")
    assert event.after == {"flags": ["add_accounts"]} and event.reason == "promoted"
    refused = client.post(url, {"flags": ["add_accounts", "access_billing"]})
    assert refused.status_code == 200
    assert "cannot grant" in refused.content.decode()
    from players.services import agent_flags_get

    assert agent_flags_get(agent=tree["a1"]) == ["add_accounts"]
    # An agent cannot act on its own node or on another tree: 404.
    assert client.get(f"/players/agents/{tree['a'].pk}/flags/").status_code == 404
    assert client.post(f"/players/agents/{tree['b'].pk}/flags/", {"flags": []}).status_code == 404


def test_list_page_never_counts_the_whole_table(login, admin_user, db, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PlayerFactory.create_batch(8)
    settings.LIST_EXACT_COUNT_LIMIT = 5
    client = login(admin_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/players/", {"per_page": 3})
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts), counts  # bounded: limit + 1
    assert any(q["sql"].startswith("EXPLAIN") for q in ctx.captured_queries)  # past the limit: the estimate
    assert response.context["table"].paginator.count_is_estimate
    assert "about" in response.content.decode()


def test_htmx_partial_shows_filter_errors(login, admin_user, db):
    response = login(admin_user).get("/players/", {"status": "nonsense"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Some filters are not valid" in body and "<html" not in body


def test_export_cells_are_plain_text():
    from backoffice.export import _clean

    assert _clean('<span class="indent">└</span> <a href="/x">AG-1 &amp; co</a>') == "└ AG-1 & co"
    assert _clean("=1+1") == "'=1+1" and _clean("-5.00") == "-5.00"


def test_filter_dropdowns_say_any_and_the_shell_is_computed_once(login, admin_user, db, monkeypatch):
    from backoffice import context_processors

    calls = []
    original = context_processors.menu_for
    monkeypatch.setattr(context_processors, "menu_for", lambda *a, **k: calls.append(1) or original(*a, **k))
    body = login(admin_user).get("/players/").content.decode()
    assert '<option value="" selected>Any</option>' in body and "---------" not in body
    assert len(calls) == 1


def test_edit_view_refuses_a_save_that_leaves_the_users_edit_scope(login, tree, monkeypatch):
    """After the save the object must still be one the user may *change*, not merely view."""
    from players.querysets import AgentQuerySet

    scope = AgentQuerySet.agent_scope

    def only_active_nodes_editable(self, agent, action):  # a rule that the edit itself can break
        q = scope(self, agent, action)
        return q if action == "view" else q & models.Q(is_active=True)

    monkeypatch.setattr(AgentQuerySet, "agent_scope", only_active_nodes_editable)
    client = login(tree["a"].user)  # holds add_accounts: may change the nodes below its own
    url = f"/players/agents/{tree['a1'].pk}/edit/"
    assert client.post(url, {"name": "Renamed desk", "is_active": "on"}).status_code == 302
    assert client.post(url, {"name": "Switched off"}).status_code == 403  # still viewable, no longer editable
    tree["a1"].refresh_from_db()
    assert tree["a1"].is_active and tree["a1"].name == "Renamed desk"  # rolled back
