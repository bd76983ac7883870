"""A player on a time-out or self-excluded leaves every marketing segment and its exports while it is in force,
and the exclusion shows as a badge on the player's page and in the player list (issue 14)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from players.models import Player, Segment
from players.services import player_segments_set, players_marketable, rg_exclusion_start, segment_counts_refresh
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def players():
    kept, timed_out, excluded, ended = (PlayerFactory(vip_level=5) for _ in range(4))
    rg_exclusion_start(player=timed_out, kind="timeout", duration=timedelta(days=1), reason="r")
    rg_exclusion_start(player=excluded, kind="self_exclusion", duration=None, reason="r")
    rg_exclusion_start(player=ended, kind="timeout", duration=timedelta(days=1), reason="r",
                       at=timezone.now() - timedelta(days=3))
    return {"kept": kept, "timed_out": timed_out, "excluded": excluded, "ended": ended}


def test_excluded_players_leave_rule_segments_and_static_tags(players):
    rule = Segment.objects.create(name="VIP 5+", kind="rule", vip_min=5)
    tag = Segment.objects.create(name="Newsletter", kind="static")
    for p in players.values():
        player_segments_set(player=p, segments=[tag])
    wanted = {players["kept"].pk, players["ended"].pk}
    assert set(rule.players().values_list("pk", flat=True)) == wanted
    assert set(tag.players().values_list("pk", flat=True)) == wanted
    assert set(tag.players(Player.objects.real()).values_list("pk", flat=True)) == wanted
    segment_counts_refresh(segment_ids=[rule.pk, tag.pk])
    assert set(Segment.objects.values_list("member_count", flat=True)) == {2}
    assert set(players_marketable().filter(pk__in=[p.pk for p in players.values()])
               .values_list("pk", flat=True)) == wanted
    # The tag itself stays on the player (staff see it): only the marketing reading leaves them out.
    assert players["excluded"].segments.filter(pk=tag.pk).exists()


def test_segment_page_and_the_player_list_export_by_segment_leave_them_out(players, login):
    rule = Segment.objects.create(name="VIP 5+", kind="rule", vip_min=5)
    marketing = login(OperatorFactory(role="Marketing"))
    page = marketing.get(reverse("players:segment", args=[rule.pk])).content.decode()
    assert players["kept"].username in page and players["excluded"].username not in page
    assert players["timed_out"].username not in page
    export = marketing.get(reverse("players:player_list") + f"?segment={rule.pk}&export=csv")
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert players["kept"].username in body and players["ended"].username in body
    assert players["excluded"].username not in body and players["timed_out"].username not in body
    assert "Exclusion" not in body.splitlines()[0]  # Marketing does not read exclusions


def test_exclusion_badge_on_the_player_page_and_list_without_a_query_per_row(players, login,
                                                                            django_assert_max_num_queries):
    risk = login(OperatorFactory(role="Risk & Compliance"))
    page = risk.get(reverse("players:player", args=[players["excluded"].pk])).content.decode()
    assert 'badge-self_exclusion' in page and "Self-exclusion indefinitely" in page
    page = risk.get(reverse("players:player", args=[players["timed_out"].pk])).content.decode()
    assert 'badge-timeout' in page
    assert 'badge-timeout' not in risk.get(reverse("players:player", args=[players["ended"].pk])).content.decode()
    url = reverse("players:player_list")
    body = risk.get(url).content.decode()
    assert body.count("badge-self_exclusion") == 1 and body.count("badge-timeout") == 1
    with django_assert_max_num_queries(30) as few:
        risk.get(url)
    for _ in range(10):
        rg_exclusion_start(player=PlayerFactory(), kind="timeout", duration=timedelta(days=1), reason="r")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = risk.get(url).content.decode()
    assert body.count("badge-timeout") == 11
    export = risk.get(url + "?export=csv")
    csv = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Exclusion" in csv.splitlines()[0] and csv.count("Self-exclusion") == 1
    marketing = login(OperatorFactory(role="Marketing"))
    assert "badge-timeout" not in marketing.get(url).content.decode()  # Marketing does not read exclusions
