"""Dashboards: operator KPIs and chart, the agent's own restricted dashboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from players.models import Player
from reports.selectors import registrations_by_day
from tests.factories import AgentFactory, PlayerFactory


@pytest.mark.django_db
def test_registrations_chart_is_scoped_zero_filled_and_skips_test_accounts(admin_user):
    mine = AgentFactory(code="MA-D1")
    other = AgentFactory(code="MA-D2")
    PlayerFactory(agent=mine)
    PlayerFactory(agent=mine, is_test=True)
    PlayerFactory(agent=other)
    old = PlayerFactory(agent=mine)
    Player.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))

    chart = registrations_by_day(user=mine.user, days=7)
    data = chart["datasets"][0]["data"]
    assert len(chart["labels"]) == len(data) == 7
    assert data[-1] == 1 and data[-4] == 1 and sum(data) == 2
    assert sum(registrations_by_day(user=admin_user, days=7)["datasets"][0]["data"]) == 3


@pytest.mark.django_db
def test_dashboards_render_for_operator_and_agent(login, admin_user):
    agent = AgentFactory(code="MA-D3")
    body = login(admin_user).get("/").content.decode()
    assert 'data-chart="chart-registrations"' in body and 'id="chart-registrations"' in body
    agent_body = login(agent.user).get("/").content.decode()
    assert "Agent dashboard" in agent_body and "your sub-tree" in agent_body


@pytest.mark.django_db
def test_kpis_estimate_past_the_exact_limit(admin_user, settings):
    from reports.selectors import operator_dashboard

    PlayerFactory.create_batch(6)
    settings.LIST_EXACT_COUNT_LIMIT = 3
    players = next(k for k in operator_dashboard(user=admin_user)["kpis"] if k["label"] == "Players")
    assert players["estimate"] and players["value"] >= 4
    settings.LIST_EXACT_COUNT_LIMIT = 100
    players = next(k for k in operator_dashboard(user=admin_user)["kpis"] if k["label"] == "Players")
    assert not players["estimate"] and players["value"] == 6


@pytest.mark.django_db
@pytest.mark.parametrize(("local_hour", "greeting"), [
    (4, "Good evening"), (5, "Good morning"), (11, "Good morning"), (12, "Good afternoon"), (17, "Good afternoon"),
    (18, "Good evening"), (23, "Good evening"), (0, "Good evening")])
def test_the_greeting_follows_the_local_hour(login, admin_user, local_hour, greeting):
    import datetime

    client = login(admin_user)
    now = timezone.now()
    # A UTC offset (whole minutes) that puts the local time at local_hour:30: half an hour of slack either way.
    minutes = (local_hour * 60 + 30 - (now.hour * 60 + now.minute) + 720) % 1440 - 720
    with timezone.override(datetime.timezone(timedelta(minutes=minutes))):
        body = client.get("/").content.decode()
    assert f"{greeting}, " in body
