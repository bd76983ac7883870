"""End to end in Chromium: sign in, pass two-factor, see the dashboard; an agent sees its own console."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, OperatorFactory, PlayerFactory, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_operator_signs_in_with_totp_and_sees_the_dashboard(live_server, page):
    user = OperatorFactory(role="Risk & Compliance", username="rita", first_name="Rita")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    PlayerFactory.create_batch(3)

    page.goto(f"{live_server.url}/players/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/players/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator(".alert-error")).to_contain_text("Wrong username or password")

    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Enter your code")
    page.fill("input[name=token]", totp_code(device))
    page.click("text=Verify")

    expect(page.locator("h1")).to_have_text("Players")
    expect(page.locator("#object-table tbody tr")).to_have_count(3)
    page.click("nav >> text=Dashboard")
    expect(page.locator("h1")).to_contain_text("Rita")
    expect(page.locator(".kpi").first).to_contain_text("Players")
    expect(page.locator(".user-meta")).to_contain_text("Risk & Compliance")
    expect(page.locator("nav")).to_contain_text("Audit log")
    page.screenshot(path="test-results/dashboard.png", full_page=True)


def test_htmx_filter_updates_the_table_in_place(live_server, page):
    agent = AgentFactory(code="MA-E2E", flags=["add_accounts"])
    PlayerFactory(username="alice_e2e", agent=agent)
    PlayerFactory(username="bob_e2e", agent=agent)
    PlayerFactory(username="outsider_e2e", agent=None)

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", agent.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".eyebrow").first).to_contain_text("Master agent")  # the agent console, no 2FA enrolled
    expect(page.locator("nav")).not_to_contain_text("Audit log")

    page.goto(f"{live_server.url}/players/")
    rows = page.locator("#object-table tbody tr")
    expect(rows).to_have_count(2)  # never the outsider
    page.fill("input[name=q]", "alice_e2e")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("alice_e2e")
    expect(page).to_have_url(re.compile(r"/players/\?q=alice_e2e"))  # the filter is in the address bar
