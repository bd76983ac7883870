"""The conformance kit passes against our own API (on a live server), and notices a broken endpoint."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from games.models import GameSession
from tests.games import factories as gf


@pytest.fixture
def setup(db):
    gf.jurisdiction("mga", ("MT",))
    g = gf.game(gf.provider("kit"), "kit-slot")
    live = gf.funded_session(g, cash="50.00")
    expired = gf.session(live.player, g)
    GameSession.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return live, expired


@pytest.mark.django_db(transaction=True)
def test_conformance_kit_passes_against_our_api(live_server, setup):
    live, expired = setup
    out = StringIO()
    try:
        call_command("wallet_conformance", "--url", live_server.url, "--provider", "kit", "--secret", gf.SECRET,
                     "--token", live.token, "--expired-token", expired.token, stdout=out)
    except CommandError:
        pytest.fail(out.getvalue())
    text = out.getvalue()
    assert "FAIL" not in text and "SKIP" not in text, text
    assert "0 failed" in text


@pytest.mark.django_db(transaction=True)
def test_conformance_kit_reports_failures(live_server, setup):
    live, _ = setup
    out = StringIO()
    try:
        call_command("wallet_conformance", "--url", live_server.url, "--provider", "kit", "--secret",
                     "wrong-secret-0123456789", "--token", live.token, stdout=out)
    except CommandError:
        pass
    else:
        pytest.fail(f"the kit passed with a wrong secret:\n{out.getvalue()}")
    assert "FAIL" in out.getvalue(), out.getvalue()


def test_session_tokens_never_look_like_options():
    from games.services.sessions import session_token_new

    tokens = {session_token_new() for _ in range(2000)}
    assert len(tokens) == 2000
    assert all(t.startswith("gs_") and len(t) >= 40 and not t.startswith("-") for t in tokens)
