"""End to end in Chromium: a content manager orders the lobby, previews it per jurisdiction, reads a game's
theoretical against actual RTP after a round played through the wallet API, and disables the game."""

import json
import re

import pytest
from playwright.sync_api import expect

from backoffice.models import AuditEvent
from games import services
from games.models import Game, LobbyCategory
from tests.factories import OperatorFactory
from tests.games import factories as gf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _wallet(page, live_server, provider_code, op, **fields):
    """A provider's signed call to the live server's wallet API."""
    body = json.dumps(fields).encode()
    r = page.request.post(f"{live_server.url}/api/wallet/v1/{provider_code}/{op}", data=body,
                          headers={"Content-Type": "application/json", **gf.signed_headers(body)})
    assert r.status == 200
    return r.json()


def _lobby_ids(page, live_server, code):
    body = page.request.get(f"{live_server.url}/api/lobby/v1/{code}").json()
    return [[g["id"] for g in c["games"]] for c in body["categories"]], [g["id"] for g in body["featured"]]


def test_content_manager_orders_the_lobby_previews_it_and_disables_a_game(live_server, page, sign_in):
    user = OperatorFactory(role="Content", username="content_mgr")
    gf.jurisdiction("mga")
    gf.jurisdiction("ukgc", ("GB",))
    prov = gf.provider("e2e-studio")
    alpha, beta = (services.game_create(provider=prov, external_id=ref, title=title, rtp="96.00")
                   for ref, title in (("alpha", "Alpha Reels"), ("beta", "Beta Blackjack")))
    gamma = services.game_create(provider=prov, external_id="gamma", title="Gamma Crash", rtp="97.00",
                                 jurisdictions=[gf.jurisdiction("mga")])
    slots = LobbyCategory.objects.create(slug="slots", name="Slots", position=1)
    for g in (alpha, beta, gamma):
        services.lobby_place(category_id=slots.pk, game=g)
    sign_in(user)

    # 1. Order the category by position numbers: Gamma, Alpha, Beta; Alpha featured.
    page.goto(f"{live_server.url}/games/lobby/")
    page.click("table >> text=Slots")
    page.get_by_role("link", name="Order", exact=True).click()
    page.fill(f"input[name=pos_{gamma.pk}]", "1")
    page.fill(f"input[name=pos_{alpha.pk}]", "2")
    page.fill(f"input[name=pos_{beta.pk}]", "3")
    page.check(f"input[name=feat_{alpha.pk}]")
    page.fill(f"input[name=pos_{beta.pk}]", "0")  # not a position: a form error, nothing saved
    page.click("text=Save order")
    expect(page.locator("form.form-card")).to_contain_text("greater than or equal to 1")
    page.screenshot(path="test-results/games-lobby-order-error.png", full_page=True)
    assert _lobby_ids(page, live_server, "mga") == ([["alpha", "beta", "gamma"]], [])
    page.fill(f"input[name=pos_{beta.pk}]", "3")
    page.click("text=Save order")
    expect(page.locator(".alert-success")).to_contain_text("Order saved.")
    rows = page.locator(".table-card tbody tr")
    expect(rows).to_have_count(3)
    for i, title in enumerate(("Gamma Crash", "Alpha Reels", "Beta Blackjack")):
        expect(rows.nth(i)).to_contain_text(title)
    expect(rows.nth(1)).to_contain_text("★")

    # 2. The UK lobby hides the game not approved there; the JSON lobby agrees (its cache was invalidated).
    page.goto(f"{live_server.url}/games/lobby/")
    page.click(".chips >> text=UKGC")
    preview = page.locator("section.card", has_text="Lobby preview")
    expect(preview.locator(".chips").first).to_have_text(re.compile(r"Alpha Reels"))
    expect(preview).to_contain_text("Beta Blackjack")
    expect(preview).not_to_contain_text("Gamma Crash")
    assert _lobby_ids(page, live_server, "ukgc") == ([["alpha", "beta"]], ["alpha"])
    assert _lobby_ids(page, live_server, "mga") == ([["gamma", "alpha", "beta"]], ["alpha"])
    page.screenshot(path="test-results/games-lobby-preview.png", full_page=True)

    # 3. A round on Beta through the wallet API: bet 10.00, win 4.00, so the actual RTP is 40.00 %.
    token = gf.funded_session(beta, cash="100", username="e2e_player", country="GB").token
    assert _wallet(page, live_server, prov.code, "bet", token=token, transaction_id="b1", round_id="r1",
                   game_id="beta", amount="10.00", currency="EUR")["status"] == "OK"
    won = _wallet(page, live_server, prov.code, "win", token=token, transaction_id="w1", round_id="r1",
                  game_id="beta", amount="4.00", currency="EUR", bet_transaction_id="b1", round_closed=True)
    assert won["status"] == "OK" and won["balance"] == "94.00"

    page.goto(f"{live_server.url}/games/games/{gamma.pk}/")  # no round yet
    expect(page.locator("section.card", has_text="Latest rounds")).to_contain_text("No rounds played yet.")
    page.goto(f"{live_server.url}/games/games/{beta.pk}/")
    rtp = page.locator("section.card", has_text="Theoretical vs actual RTP").locator("tbody tr")
    expect(rtp).to_have_count(1)
    for text in ("v1", "EUR", "10.00", "4.00", "96.00 %", "40.00 %"):
        expect(rtp).to_contain_text(text)
    page.locator("section.card", has_text="Latest rounds").get_by_role("link", name="r1", exact=True).click()
    moves = page.locator("section.card", has_text="Bets, wins and rollbacks").locator("tbody tr")
    expect(moves).to_have_count(2)
    expect(page.locator(".kv")).to_contain_text("Complete")
    page.screenshot(path="test-results/games-round.png", full_page=True)
    page.go_back()

    # 4. Disabling asks for a reason, is audited, leaves the lobby and refuses new bets.
    page.click(".page-head >> text=Disable")
    page.click("button:has-text('Disable')")
    expect(page.locator("form.form-card")).to_contain_text("This field is required")
    assert Game.objects.get(pk=beta.pk).is_active
    page.fill("input[name=reason]", "Certificate expired")
    page.click("button:has-text('Disable')")
    expect(page.locator(".alert-success")).to_contain_text("Game disabled")
    expect(page.locator(".page-head")).to_contain_text("Enable")
    page.screenshot(path="test-results/games-game-disabled.png", full_page=True)
    event = AuditEvent.objects.get(action="game.deactivate", object_id=str(beta.pk))
    assert (event.actor_label, event.before, event.after) == ("content_mgr", {"is_active": True}, {"is_active": False})
    assert _lobby_ids(page, live_server, "ukgc") == ([["alpha"]], ["alpha"])
    refused = _wallet(page, live_server, prov.code, "bet", token=token, transaction_id="b2", round_id="r2",
                      game_id="beta", amount="1.00", currency="EUR")
    assert refused["code"] == "INVALID_GAME"
