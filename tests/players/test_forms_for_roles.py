"""Forms and filters as each role meets them: a dropdown offers what the role may choose, never an empty list."""

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from backoffice.exceptions import ApplicationError
from players.models import Note, Player
from players.services import note_create
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


class _Select(HTMLParser):
    def __init__(self, name):
        super().__init__()
        self.name, self.inside, self.found, self.options = name, False, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.inside = attrs.get("name") == self.name
            self.found |= self.inside
        elif tag == "option" and self.inside:
            self.options.append([attrs.get("value", ""), "", "selected" in attrs])

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1][1] += data.strip()


def _options(html: str, name: str) -> list[tuple[str, str, bool]]:
    parser = _Select(name)
    parser.feed(html)
    assert parser.found, f"no <select name={name}>"
    return [tuple(o) for o in parser.options]


def test_support_assigns_a_follow_up_to_staff_who_may_close_it(login):
    support = OperatorFactory(role="Support", username="sup_one")
    colleague = OperatorFactory(role="Support", username="sup_two")
    OperatorFactory(role="Risk & Compliance", username="risk_one")
    finance = OperatorFactory(role="Finance", username="fin_one")  # may not close follow-ups
    marketing = OperatorFactory(role="Marketing", username="mkt_one")
    agent = AgentFactory(code="AS-NODE")
    player = PlayerFactory()
    client = login(support)

    page = client.get(f"/players/{player.pk}/notes/add/")
    names = {label for value, label, _ in _options(page.content.decode(), "assignee") if value}
    assert {"sup_one", "sup_two", "risk_one"} <= names
    assert not names & {"fin_one", "mkt_one", agent.user.username}

    due = (date.today() + timedelta(days=2)).isoformat()
    response = client.post(f"/players/{player.pk}/notes/add/", {
        "channel": "phone", "text": "Call back about the limit", "follow_up_on": due,
        "assignee": colleague.pk, "visibility": "all"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Note.objects.get(player=player).assignee == colleague

    refused = client.post(f"/players/{player.pk}/notes/add/", {
        "channel": "phone", "text": "x", "follow_up_on": due, "assignee": finance.pk, "visibility": "all"})
    assert refused.status_code == 200 and Note.objects.filter(player=player).count() == 1
    with pytest.raises(ApplicationError):  # the service holds the rule too
        note_create(player=player, text="x", follow_up_on=date.today(), assignee=marketing, actor=support)


def test_agents_get_no_assignee_dropdown(login):
    agent = AgentFactory(code="AG-NOTE", flags=["add_accounts"])
    OperatorFactory(role="Support", username="sup_hidden")
    player = PlayerFactory(agent=agent, currency=agent.currency)
    page = login(agent.user).get(f"/players/{player.pk}/notes/add/").content.decode()
    assert 'name="assignee"' not in page and "sup_hidden" not in page


def test_an_agent_adds_a_player_to_its_own_node_by_default(login):
    top = AgentFactory(code="MA-TOP", flags=["add_accounts"], currency="EUR")
    agent = AgentFactory(code="AG-MID", parent=top, flags=["add_accounts"])
    child = AgentFactory(code="SA-LOW", parent=agent)
    other = AgentFactory(code="MA-OTHER")
    client = login(agent.user)

    page = client.get("/players/add/").content.decode()
    options = _options(page, "agent")
    assert {label for _, label, _ in options} == {str(agent), str(child)}
    assert [value for value, _, selected in options if selected] == [str(agent.pk)]
    assert all(value for value, _, _ in options), "no '(no agent)' choice for agents"
    assert str(top) not in page and other.code not in page
    assert [v for v, _, s in _options(page, "currency") if s] == ["EUR"]

    # Submitting the form as it comes (only the required fields typed in) creates the player under the node.
    response = client.post("/players/add/", {"username": "fresh_one", "country": "MT", "currency": "EUR",
                                             "agent": agent.pk, "vip_level": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Player.objects.get(username="fresh_one").agent == agent
    refused = client.post("/players/add/", {"username": "fresh_two", "country": "MT", "currency": "EUR",
                                            "agent": "", "vip_level": 0})
    assert refused.status_code == 200 and not Player.objects.filter(username="fresh_two").exists()


def test_operators_still_add_players_without_an_agent(login):
    admin = OperatorFactory(role="Administrator")
    options = _options(login(admin).get("/players/add/").content.decode(), "agent")
    assert options[0][0] == "" and options[0][1] == "(no agent)"


def test_filters_over_models_the_user_may_not_view_are_absent(login):
    agent = AgentFactory(code="AG-FILTER")
    marketing = OperatorFactory(role="Marketing")
    risk = OperatorFactory(role="Risk & Compliance")
    agent_page = login(agent.user).get("/players/").content.decode()
    assert 'name="segment"' not in agent_page and 'name="agent"' in agent_page
    marketing_page = login(marketing).get("/players/").content.decode()
    assert 'name="segment"' in marketing_page and 'name="agent"' not in marketing_page
    risk_page = login(risk).get("/players/").content.decode()
    assert 'name="segment"' in risk_page and 'name="agent"' in risk_page
    # A hand-made query string cannot use the absent filter either: it is ignored, not an error.
    assert login(agent.user).get("/players/?segment=1").status_code == 200
