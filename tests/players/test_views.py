"""Pages of the players app: forms with clear errors, tabs as htmx partials, timeline keyset pages, scoping."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from players.models import Player, RgExclusion, RgLimit, TimelineEvent
from players.services import timeline_record
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(login):
    return login(OperatorFactory(role="Risk & Compliance"))


def test_tabs_render_full_and_as_htmx_partial(risk):
    p = PlayerFactory()
    for name in ("player", "player_wallets", "player_limits", "player_kyc", "player_notes", "player_timeline"):
        url = reverse(f"players:{name}", args=[p.pk])
        full = risk.get(url)
        assert full.status_code == 200 and b"<html" in full.content
        part = risk.get(url, HTTP_HX_REQUEST="true")
        assert part.status_code == 200 and b"<html" not in part.content and b'id="player-tabs"' in part.content


def test_wallets_tab_loads_cashier_or_says_missing(risk):
    p = PlayerFactory()
    body = risk.get(reverse("players:player_wallets", args=[p.pk])).content.decode()
    try:
        url = reverse("cashier:player_wallets", kwargs={"pk": p.pk})
    except NoReverseMatch:
        assert "Cashier module not installed" in body
    else:
        assert f'hx-get="{url}"' in body and 'hx-trigger="load"' in body


def test_create_player_form_errors_change_nothing(risk):
    url = reverse("players:player_add")
    PlayerFactory(username="taken", email="taken@x.test")
    n = Player.objects.count()
    for data, text in [({"username": "taken"}, "already exists"),
                       ({"date_of_birth": "2099-01-01"}, "real date of birth"),
                       ({"date_of_birth": "not-a-date"}, "Enter a valid date"),
                       ({"email": "TAKEN@x.test"}, "already uses")]:
        post = {"username": "newbie", "currency": "EUR", "country": "MT", "vip_level": "0", **data}
        r = risk.post(url, post)
        assert r.status_code == 200 and text in r.content.decode(), data
    assert Player.objects.count() == n
    r = risk.post(url, {"username": "newbie", "currency": "EUR", "country": "mt", "vip_level": "0",
                        "date_of_birth": "1990-01-01"})
    assert r.status_code == 302 and Player.objects.filter(username="newbie", country="MT").exists()


def test_limit_form_bad_input(risk):
    p = PlayerFactory()
    url = reverse("players:player_limit_set", args=[p.pk])
    for amount in ("-5", "abc"):
        r = risk.post(url, {"kind": "deposit", "period": "day", "amount": amount, "source": "player"})
        assert r.status_code == 200 and b"error" in r.content
    risk.post(url, {"kind": "deposit", "period": "day", "amount": "50", "source": "operator"})
    r = risk.post(url, {"kind": "deposit", "period": "day", "amount": "80", "source": "player"})
    assert b"cannot exceed the operator" in r.content
    assert not RgLimit.objects.filter(player=p, source="player").exclude(amount=None).exists()


def test_exclusion_period_out_of_range_is_a_form_error(risk):
    p = PlayerFactory()
    r = risk.post(reverse("players:player_exclusion", args=[p.pk]), {"kind": "timeout", "duration": "1y"})
    assert r.status_code == 200 and b"24 hours to 6 weeks" in r.content
    assert not RgExclusion.objects.filter(player=p).exists()


def test_agent_move_form_refuses_descendant(login):
    admin = login(OperatorFactory(role="Administrator"))
    m = AgentFactory()
    a = AgentFactory(parent=m)
    s = AgentFactory(parent=a)
    r = admin.post(reverse("players:agent_move", args=[a.pk]), {"parent": s.pk, "reason": "x"})
    assert r.status_code == 200 and b"own descendant" in r.content


def test_agent_adds_players_only_in_its_subtree(login):
    top = AgentFactory(flags=["add_accounts"])
    child = AgentFactory(parent=top, login=False)
    other = AgentFactory(flags=["add_accounts"])
    client = login(top.user)
    form = client.get(reverse("players:player_add")).content.decode()
    assert child.code in form and other.code not in form  # dropdown restricted to the sub-tree
    r = client.post(reverse("players:player_add"), {"username": "pph", "currency": "USD", "country": "US",
                                                     "agent": other.pk, "vip_level": "0"})
    assert r.status_code == 200 and not Player.objects.filter(username="pph").exists()
    r = client.post(reverse("players:player_add"), {"username": "pph", "currency": "USD", "country": "US",
                                                     "agent": child.pk, "vip_level": "0"})
    assert r.status_code == 302 and Player.objects.get(username="pph").agent == child
    foreign = PlayerFactory(agent=other, currency="USD")
    assert client.get(reverse("players:player_timeline", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("players:player_move", args=[foreign.pk])).status_code == 404
    # No "set player limits" flag, but the player is of another tree: 404 like its page (issue 14), not 403.
    assert client.get(reverse("players:player_limit_set", args=[foreign.pk])).status_code == 404


def test_timeline_keyset_pages_and_filters(risk, django_assert_max_num_queries):
    p = PlayerFactory()
    t0 = timezone.now() - timedelta(days=10)
    TimelineEvent.objects.bulk_create([
        TimelineEvent(player=p, occurred_at=t0 + timedelta(minutes=i), module="cashier" if i % 2 else "games",
                      kind="cashier.deposit" if i % 2 else "games.round", summary=f"e{i}", amount=Decimal(i),
                      currency="EUR") for i in range(120)])
    url = reverse("players:player_timeline", args=[p.pk])
    seen = []
    query = ""
    for _ in range(3):
        r = risk.get(url + query, HTTP_HX_REQUEST="true")
        page = r.context["timeline_events"]
        seen += [e.summary for e in page]
        older = r.context["timeline_older"]
        if not older:
            break
        query = "?" + older
    assert seen == [f"e{i}" for i in range(119, -1, -1)]  # every event once, newest first
    r = risk.get(url + "?module=games")
    assert all(e.kind == "games.round" for e in r.context["timeline_events"])
    r = risk.get(url + "?kind=cashier.dep")
    assert {e.kind for e in r.context["timeline_events"]} == {"cashier.deposit"}
    day = (t0 + timedelta(days=30)).date().isoformat()
    assert not risk.get(url + f"?date_from={day}").context["timeline_events"]
    timeline_record(player_id=p.pk, kind="players.note", summary="latest")
    timeline_record(player_id=p.pk, kind="players.moved", summary="linked", ref_type="players.agent",
                    ref_id=str(AgentFactory().pk))
    body = risk.get(url).content.decode()
    assert '/players/agents/' in body.split("linked")[0].rsplit("<td>", 1)[1]  # ref_type + ref_id -> a link
    with django_assert_max_num_queries(20):
        risk.get(url, HTTP_HX_REQUEST="true")


def test_create_player_command():
    agent = AgentFactory(code="MA-CMD")
    call_command("create_player", "cmd_user", "--currency", "USD", "--country", "US", "--agent", "MA-CMD",
                 "--email", "cmd@x.test", "--dob", "1980-02-03")
    p = Player.objects.get(username="cmd_user")
    assert p.agent == agent and p.registration_source == "ops"
    for args in (["cmd_user", "--currency", "USD", "--country", "US"],
                 ["x2", "--currency", "USD", "--country", "US", "--agent", "NOPE"],
                 ["x3", "--currency", "USD", "--country", "US", "--dob", "31-12-1990"],
                 ["x4", "--currency", "EUR", "--country", "US", "--agent", "MA-CMD"]):
        with pytest.raises(CommandError):
            call_command("create_player", *args)


def test_fast_player_rows_match_tables2_cells(risk):
    """The list's pre-rendered rows show what django-tables2 would (links, badges, agent, dates)."""
    agent = AgentFactory(code="MA-ROWS")
    PlayerFactory(username="row<b>", agent=agent, currency="USD", status="suspended", kyc_status="verified")
    body = risk.get(reverse("players:player_list")).content.decode()
    assert "row&lt;b&gt;" in body and "<b>" not in body.split("<tbody>")[1].split("</tbody>")[0]
    assert 'badge badge-suspended">Suspended<' in body and 'badge badge-verified">Verified<' in body
    assert f'href="{agent.get_absolute_url()}">MA-ROWS<' in body
    assert "No Activity" in risk.get(reverse("players:player_list") + "?q=nobody").content.decode()


def test_detail_buttons_follow_permissions_without_a_query_per_button(login, django_assert_max_num_queries):
    top = AgentFactory(flags=["add_accounts", "move_players"])
    p = PlayerFactory(agent=top, currency="USD")
    agent_page = login(top.user).get(reverse("players:player_limits", args=[p.pk])).content.decode()
    assert "Set a limit" not in agent_page  # no "set player limits" flag
    agent_profile = login(top.user).get(reverse("players:player", args=[p.pk])).content.decode()
    assert ">Move<" in agent_profile
    support = login(OperatorFactory(role="Support"))
    page = support.get(reverse("players:player", args=[p.pk])).content.decode()
    assert ">Edit<" in page and ">Move<" not in page  # Support may change players, not move them
    risk = login(OperatorFactory(role="Risk & Compliance"))
    risk.get(reverse("players:player_limits", args=[p.pk]))
    with django_assert_max_num_queries(17):
        body = risk.get(reverse("players:player_limits", args=[p.pk])).content.decode()
    assert "Set a limit" in body and "Credit &amp; max wager" in body


def test_player_list_filters(risk):
    from players.models import Segment

    a = PlayerFactory(country="GB", vip_level=4, status="suspended", last_name="Smith")
    PlayerFactory(country="GB", vip_level=1)
    PlayerFactory(country="DE", vip_level=5)
    seg = Segment.objects.create(name="GB high", kind="rule", countries="GB", vip_min=3)
    url = reverse("players:player_list")

    def ids(query):
        return {r.record.pk for r in risk.get(url + query).context["table"].paginated_rows}

    assert ids(f"?segment={seg.pk}") == {a.pk}
    assert ids("?country=gb&status=suspended") == {a.pk}
    assert ids("?q=SMITH") == {a.pk} and ids(f"?q={a.pk}") == {a.pk} and ids(f"?q={a.email.upper()}") == {a.pk}
    assert ids("?vip_level=4") == {a.pk}
    assert a.pk in ids(f"?registered_from={timezone.localdate().isoformat()}")
    assert not ids("?registered_to=2000-01-01")
    body = risk.get(url + "?registered_from=not-a-date").content.decode()
    assert "Enter a valid date" in body  # a form error over an empty table, never a 500
