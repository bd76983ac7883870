"""The players list's search: partial usernames, names and e-mails, through the trigram index (players/search.py)."""

import pytest
from django.db import connection
from django.urls import reverse

from players.filtersets import PlayerFilterSet
from players.models import Player
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "ann": PlayerFactory(username="silverfox77", email="ann.smith@example.org", first_name="Ann",
                             last_name="Smith"),
        "bob": PlayerFactory(username="bobby_tables", email="rtables@mail.test", first_name="Robert",
                             last_name="Tables"),
        "wu": PlayerFactory(username="jwu", email="jwu@corp.test", first_name="Jing", last_name="Wu"),
        "van": PlayerFactory(username="ldv", email="lars@corp.test", first_name="Lars", last_name="van Dijk"),
    }


def found(value: str) -> list[int]:
    return list(PlayerFilterSet({"q": value}, queryset=Player.objects.all()).qs.values_list("pk", flat=True))


def test_partial_name_username_and_email_any_case(people):
    ann, bob = people["ann"].pk, people["bob"].pk
    assert found("smi") == [ann]  # part of a last name
    assert found("SMIT") == [ann] and found("aN") == [ann]  # mixed case; 2 letters: the start of "Ann"
    assert found("obER") == [bob]  # inside a first name
    assert found("verfo") == [ann] and found("by_tab") == [bob]  # username fragments ("_" is no wildcard)
    assert found("example.org") == [ann] and found("h@exa") == [ann]  # e-mail domain, fragment around the "@"
    assert sorted(found("corp.test")) == sorted([people["wu"].pk, people["van"].pk])
    assert found("rtables@mail.test") == [bob] and found("RTABLES@MAIL.TEST") == [bob]  # a whole address
    assert found("zzz") == [] and found("%") == [] and found("_") == []  # no wildcard from the input


def test_full_name_in_either_order_and_words_never_span_fields(people):
    ann = people["ann"].pk
    assert found("Ann Smith") == [ann] and found("smith ann") == [ann] and found("  ann   smi ") == [ann]
    assert found("ann tables") == []  # every word must match the same player
    assert found("van dijk") == [people["van"].pk]  # a word starting inside a name
    assert found("smithsilver") == [] and found("77ann") == []  # no match across two fields


def test_short_words_match_the_start_of_a_field(people):
    assert found("wu") == [people["wu"].pk]  # a two-letter last name
    assert found("mi") == []  # inside "Smith", not its start
    assert found("di") == [people["van"].pk]  # "Dijk" starts a word of the last name
    assert sorted(found("j")) == sorted([people["wu"].pk])  # "jwu", "Jing", "jwu@"


def test_digits_are_an_id_or_the_start_of_a_field(people):
    ann = people["ann"].pk
    numeric = PlayerFactory(username=f"{ann}00", email=f"{ann}00@num.test", first_name="N", last_name="Num")
    assert found(str(ann)) == [numeric.pk, ann]  # the id, and the numeric username starting with it; newest first
    assert found("77") == []  # "silverfox77" holds 77 but does not start with it
    assert found("99999999999999999999") == []  # beyond a bigint: no id lookup, no error
    assert found("²") == []  # a Unicode digit is no id


def test_a_whole_email_address_finds_its_player_only(people):
    ann = people["ann"]
    PlayerFactory(username="other", email=f"x{ann.email}", first_name="O", last_name="Ther")  # contains the address
    assert found(ann.email.upper()) == [ann.pk]
    assert len(found(ann.email[1:])) == 2  # not a whole address: the partial search, both players


def test_players_list_view_searches_partially(people, login):
    client = login(OperatorFactory(role="Risk & Compliance"))
    url = reverse("players:player_list")

    def ids(q):
        response = client.get(url, {"q": q})
        assert response.status_code == 200
        return [r.record.pk for r in response.context["table"].paginated_rows]

    assert ids("smi") == [people["ann"].pk]
    assert ids("ann smith") == [people["ann"].pk]
    assert ids("@corp") == [people["van"].pk, people["wu"].pk]  # newest first
    assert ids("bby_ta") == [people["bob"].pk]
    assert ids("\x00") == []  # rejected by the form: an empty table, not a 500
    body = client.get(url, {"q": "verfox"}, HTTP_HX_REQUEST="true").content.decode()
    assert "silverfox77" in body and "bobby_tables" not in body


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cur.fetchall())


def test_search_plans_use_the_trigram_index():
    """A selective input of any kind can be answered from player_search_trgm_idx (the filter's expression is the
    index's); an input matching nearly everyone reads the newest rows by the primary key and stops at the page.
    Never a read of the whole table. Sequential scans are priced out: on 20,000 rows the planner's choice between a
    seq scan and the index is a coin toss of statistics, while at 1M rows the index wins on its own
    (docs/performance.md); what this test guards is that the index *can* serve every kind of input."""
    zed = PlayerFactory(username="zed", email="zed@plan.test", first_name="Zed", last_name="Zola")
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO players_player (username, email, first_name, last_name, country, currency, status,
                kyc_status, vip_level, registration_source, is_test, created_at, lifetime_deposits, failed_logins)
            SELECT 'u' || g, 'u' || g || '@plan.test', (ARRAY['Ann','Bob','Cai'])[1 + g %% 3], 'Name' || g,
                   'MT', 'EUR', 'active', 'unverified', 0, '', false, now(), 0, 0
            FROM generate_series(1, %s) g""", [20000])
        cur.execute("ANALYZE players_player")
        cur.execute("SET LOCAL enable_seqscan = off")
    for value in ("me1234", "u777@plan", "bob name1234", "zo", str(zed.pk)):
        qs = PlayerFilterSet({"q": value}, queryset=Player.objects.all()).qs
        # Unordered, so that the plan answers "can the index find these rows", not "which page order is cheaper".
        plan = _plan(qs.order_by())
        assert "player_search_trgm_idx" in plan and "Seq Scan" not in plan, (value, plan)
        assert "Seq Scan" not in _plan(qs[:50]), value
        assert qs.exists()
    plan = _plan(PlayerFilterSet({"q": "na"}, queryset=Player.objects.all()).qs[:50])
    assert plan.startswith("Limit") and "Index Scan Backward using players_player_pkey" in plan, plan
    assert "Seq Scan" not in plan and "Sort" not in plan, plan
