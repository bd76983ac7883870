"""`manage.py simulate` plays rounds through the HTTP wallet API of a live server."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from games.models import Round, WalletTransaction
from tests.games import factories as gf


@pytest.mark.django_db(transaction=True)
def test_simulate_plays_rounds_over_http(live_server, player_factory):
    gf.jurisdiction("mga", ("MT",))
    prov = gf.provider("sim")
    gf.game(prov, "sim-slot")
    for _ in range(3):
        gf.fund(player_factory(country="MT", currency="EUR"), cash="20.00")
    out = StringIO()
    call_command("simulate", "--url", live_server.url, "--provider", "sim", "--players", "3", "--rate", "200",
                 "--rounds", "25", "--seed", "1", "--wait", "5", stdout=out)
    text = out.getvalue()
    assert "Played 25 rounds" in text, text
    assert Round.objects.count() == 25
    assert WalletTransaction.objects.filter(kind="bet").count() == 25


@pytest.mark.django_db
def test_simulate_bad_input():
    with pytest.raises(CommandError):
        call_command("simulate", "--provider", "nope", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("simulate", "--rate", "0", stdout=StringIO())


@pytest.mark.django_db
def test_simulate_waits_for_the_server_then_gives_up(player_factory):
    gf.jurisdiction("mga", ("MT",))
    gf.game(gf.provider("sim2"), "s")
    with pytest.raises(CommandError, match="did not answer"):
        call_command("simulate", "--provider", "sim2", "--url", "http://127.0.0.1:9", "--wait", "1",
                     stdout=StringIO())


def test_simulator_retries_the_same_request_when_the_connection_drops(monkeypatch):
    from collections import Counter
    from io import StringIO

    from games.management.commands import simulate

    calls = []

    class FlakyHttp:
        def call(self, op, **fields):
            calls.append((op, fields))
            if len(calls) < 3:
                raise ConnectionResetError(104, "Connection reset by peer")
            return "reply"

    cmd = simulate.Command(stdout=StringIO(), stderr=StringIO())
    cmd.http, cmd.stats = FlakyHttp(), Counter()
    monkeypatch.setattr(simulate.time, "sleep", lambda s: None)
    assert cmd._send_with_retry("bet", {"transaction_id": "t-1", "amount": "1.00"}) == "reply"
    assert [c[1]["transaction_id"] for c in calls] == ["t-1", "t-1", "t-1"]  # the very same request again
    assert cmd.stats["retries after connection errors"] == 2
