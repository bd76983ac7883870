"""End to end in Chromium: set a deposit limit, raise it (pending 24 h), self-exclude, and see the effects."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from players.models import Player
from players.services import rg_check
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_deposit_limit_raise_pending_then_self_exclusion(live_server, page, sign_in):
    user = OperatorFactory(role="Risk & Compliance", username="rg_officer")
    player = PlayerFactory(username="rg_player", country="DE", currency="EUR")
    sign_in(user)

    page.goto(f"{live_server.url}/players/{player.pk}/")
    page.click(".tabs >> text=Limits & exclusions")  # htmx swaps the tab in place
    expect(page.locator(".tab.active")).to_have_text("Limits & exclusions")
    expect(page.locator("#player-tabs")).to_contain_text("No limits in force.")

    # 1. A deposit limit of 100 EUR per 24 hours: in force at once.
    page.click("text=Set a limit")
    page.select_option("select[name=kind]", "deposit")
    page.select_option("select[name=period]", "day")
    page.fill("input[name=amount]", "100")
    page.select_option("select[name=source]", "player")  # staff record the player's request explicitly
    page.click(".form-card button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Limit in force now")
    expect(page.locator("tr.limit-row[data-kind=deposit]")).to_contain_text("100.00 EUR")
    assert rg_check(player=player, action="deposit", amount=Decimal("101")).code == "deposit_limit"

    # 2. Raise it to 500: pending for 24 hours, the 100 still applies.
    page.click("text=Set a limit")
    page.select_option("select[name=kind]", "deposit")
    page.select_option("select[name=period]", "day")
    page.fill("input[name=amount]", "500")
    page.select_option("select[name=source]", "player")
    page.click(".form-card button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("24-hour cooling-off")
    expect(page.locator(".pending-increase")).to_contain_text("500.00 EUR")
    expect(page.locator("tr.limit-row[data-kind=deposit]")).to_contain_text("100.00 EUR")
    assert not rg_check(player=player, action="deposit", amount=Decimal("200")).allowed

    # A negative limit is a form error and changes nothing.
    page.click("text=Set a limit")
    page.fill("input[name=amount]", "-5")
    page.click(".form-card button[type=submit]")
    expect(page.locator(".form-card")).to_contain_text("greater than or equal to 0")
    page.go_back()

    # 3. Self-exclusion for 6 months: in force at once, shown on the page, deposits and bets refused.
    page.goto(f"{live_server.url}/players/{player.pk}/limits/exclusion/")
    page.select_option("select[name=kind]", "self_exclusion")
    page.select_option("select[name=duration]", "6m")
    page.fill("input[name=reason]", "Player asked by phone")
    page.click(".form-card button[type=submit]")
    # The first submit only states what will happen, with the end date; nothing is in force yet.
    expect(page.locator("[data-confirmation]")).to_contain_text("Self-exclusion for 6 months, until ")
    expect(page.locator("[data-confirmation]")).to_contain_text("cannot be lifted early")
    assert rg_check(player=player, action="deposit", amount=Decimal("1")).code != "self_excluded"
    page.click(".form-card button[type=submit]")
    expect(page.locator(".alert-error")).to_contain_text("Self-exclusion")
    expect(page.locator(".alert-error")).to_contain_text("cannot be lifted early")
    fresh = Player.objects.get(pk=player.pk)
    assert rg_check(player=fresh, action="deposit", amount=Decimal("1")).code == "self_excluded"
    assert rg_check(player=fresh, action="bet", amount=Decimal("1")).code == "self_excluded"

    # The timeline shows all three, newest first.
    page.click(".tabs >> text=Timeline")
    rows = page.locator("#timeline tbody tr")
    # Kinds read as labels; the code stays on the row (data-kind) and in its tooltip.
    expect(rows.first).to_have_attribute("data-kind", "players.self_exclusion")
    expect(rows.first).to_contain_text("Self-exclusion")
    expect(page.locator("#timeline tr[data-kind='players.limit_pending']")).to_contain_text("Limit increase pending")
    expect(page.locator("#timeline tr[data-kind='players.limit_applied']").first).to_contain_text("Limit in force")
    expect(page.locator("#timeline")).not_to_contain_text("players.")
    page.screenshot(path="test-results/players-rg-timeline.png", full_page=True)
