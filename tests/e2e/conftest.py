"""Browser-test helpers."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD, totp_code


@pytest.fixture
def sign_in(live_server, page):
    """Sign ``user`` in through the login page and the two-factor step, with a confirmed TOTP device."""

    def _sign_in(user):
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.fill("input[name=token]", totp_code(device))
        page.click("text=Verify")
        expect(page.locator("h1")).not_to_have_text("Enter your code")

    return _sign_in
