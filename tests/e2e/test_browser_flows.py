"""Flows that only a real browser breaks: file uploads through a file chooser, and the Back button after htmx."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cashier.models import FxRate, PaymentGateway, ReconciliationRun
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _choose_file(page, name: str, content: bytes) -> None:
    """Pick a file with the page's own file chooser, as a user would."""
    with page.expect_file_chooser() as chooser:
        page.click("input[type=file]")
    chooser.value.set_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


def test_fx_import_and_reconciliation_take_the_chosen_file(live_server, page, sign_in):
    finance = OperatorFactory(role="Finance", username="fin_upload")
    gateway = PaymentGateway.objects.create(code="upl", name="Upload Pay", webhook_secret="s", is_simulated=True)
    sign_in(finance)

    page.goto(f"{live_server.url}/cashier/fxrates/import/")
    expect(page.locator("form.form-card")).to_have_attribute("enctype", "multipart/form-data")
    _choose_file(page, "rates.csv", b"currency,rate,valid_from\nUSD,1.0850,2026-01-01\n")
    page.click(".form-card button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Imported 1 rate")
    assert FxRate.objects.get(currency="USD").rate == Decimal("1.0850")

    page.goto(f"{live_server.url}/cashier/reconciliations/add/")
    page.select_option("select[name=gateway]", str(gateway.pk))
    _choose_file(page, "settlement.csv", b"reference,amount,currency\nNOPE-1,10.00,EUR\n")
    page.click(".form-card button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Reconciliation done")
    expect(page.locator("body")).not_to_contain_text("This field is required")
    run = ReconciliationRun.objects.get()
    assert run.file_name == "settlement.csv" and run.gateway == gateway


def _full_page(page) -> None:
    """The whole console, not a fragment: sidebar, header (breadcrumbs, user box) and the page heading."""
    expect(page.locator("aside.sidebar nav")).to_be_visible()
    expect(page.locator("header.topbar .user-box")).to_be_visible()
    expect(page.locator("main h1")).to_be_visible()


def test_back_after_a_filter_change_shows_the_whole_list_page(live_server, page, sign_in):
    support = OperatorFactory(role="Support", username="sup_back")
    PlayerFactory(username="back_active", status="active")
    PlayerFactory(username="back_blocked", status="suspended")
    sign_in(support)

    page.goto(f"{live_server.url}/players/")
    expect(page.locator("#object-table")).to_contain_text("back_blocked")
    page.select_option("form.filters select[name=status]", "active")  # htmx swaps the table, pushes the URL
    expect(page).to_have_url(f"{live_server.url}/players/?status=active")  # only the filters that are set
    expect(page.locator("#object-table")).not_to_contain_text("back_blocked")
    page.goto(f"{live_server.url}/")  # away, then Back twice: to the filtered list, then to the unfiltered one
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/players/?status=active")
    _full_page(page)
    expect(page.locator("form.filters")).to_be_visible()
    expect(page.locator("#object-table")).not_to_contain_text("back_blocked")
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/players/")
    _full_page(page)
    expect(page.locator("form.filters")).to_be_visible()
    expect(page.locator("#object-table")).to_contain_text("back_blocked")
    page.screenshot(path="test-results/back-after-filter.png", full_page=True)


def test_back_after_a_player_tab_click_shows_the_whole_player_page(live_server, page, sign_in):
    support = OperatorFactory(role="Support", username="sup_tabs")
    player = PlayerFactory(username="tab_player")
    sign_in(support)

    page.goto(f"{live_server.url}/players/{player.pk}/")
    page.click(".tabs >> text=Notes")
    expect(page.locator(".tab.active")).to_have_text("Notes")
    expect(page).to_have_url(f"{live_server.url}/players/{player.pk}/notes/")
    page.click(".tabs >> text=KYC")
    expect(page.locator(".tab.active")).to_have_text("KYC")
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/players/{player.pk}/notes/")
    _full_page(page)
    expect(page.locator(".tab.active")).to_have_text("Notes")
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/players/{player.pk}/")
    _full_page(page)
    expect(page.locator(".tab.active")).to_have_text("Profile")
    expect(page.locator("main h1")).to_contain_text("tab_player")
    # A reload of a URL reached through a tab click is the whole page too (no cached fragment).
    page.go_forward()
    page.reload()
    _full_page(page)
    expect(page.locator(".tab.active")).to_have_text("Notes")
