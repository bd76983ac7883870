"""Login, lockout, two-factor, session expiry, CSRF and error pages."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.models import AuditEvent
from tests.factories import PASSWORD, AgentFactory, OperatorFactory, totp_code


@pytest.mark.django_db
def test_login_page_renders_and_wrong_password_is_a_form_error(client):
    assert client.get("/login/").status_code == 200
    OperatorFactory(role="Support", username="sue")
    response = client.post("/login/", {"username": "sue", "password": "wrong"})
    assert response.status_code == 200
    assert "Wrong username or password" in response.content.decode()
    failed = AuditEvent.objects.filter(action="auth.login_failed").latest("seq")
    assert failed.actor_label == "sue" and failed.actor is None


@pytest.mark.django_db
def test_lockout_after_repeated_failures(client, settings):
    OperatorFactory(role="Support", username="locky")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "locky", "password": "nope"})
    response = client.post("/login/", {"username": "locky", "password": PASSWORD})
    assert response.status_code == 429
    assert "temporarily locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_must_enrol_then_verify_totp(client):
    user = OperatorFactory(role="Finance", username="fin")
    response = client.post("/login/", {"username": "fin", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()
    # Every page sends the user to two-factor first.
    response = client.get("/players/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"data:image/svg+xml;base64," in page.content  # QR code for enrolment
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/account/two-factor/?next=/players/", {"token": "000000" if totp_code(device) != "000000"
                                                                   else "111111"})
    assert wrong.status_code == 200 and b"not valid" in wrong.content
    too_soon = client.post("/account/two-factor/", {"token": totp_code(device)})
    assert b"Too many wrong codes" in too_soon.content  # django-otp throttles after a failure
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post("/account/two-factor/", {"token": totp_code(device), "next": "/players/"})
    assert ok.status_code == 302 and ok["Location"] == "/players/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/players/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_enrol", actor=user).exists()


@pytest.mark.django_db
def test_two_factor_next_cannot_redirect_off_site(client):
    user = OperatorFactory(role="Finance", username="fin2")
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="x", confirmed=True)
    response = client.post("/account/two-factor/", {"token": totp_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_agents_need_totp_only_after_enrolling(client):
    agent = AgentFactory(code="MA-OTP")
    client.force_login(agent.user)
    assert client.get("/").status_code == 200
    TOTPDevice.objects.create(user=agent.user, name="phone", confirmed=True)
    other = Client()
    other.force_login(agent.user)
    response = other.get("/")
    assert response.status_code == 302 and "/account/two-factor/" in response["Location"]


@pytest.mark.django_db
def test_idle_session_expires(login, admin_user, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = login(admin_user)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    from django.core.cache import cache

    cache.clear()  # cached_db sessions: drop the cached copy too, as its own expiry would
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_logout_is_post_only_and_audited(login, admin_user):
    client = login(admin_user)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=admin_user).exists()


@pytest.mark.django_db
def test_forged_csrf_gets_a_clear_403_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert b"The form has expired" in response.content


@pytest.mark.django_db
def test_unknown_url_is_a_friendly_404(login, admin_user, client):
    assert client.get("/no/such/page/").status_code in (302, 404)
    response = login(admin_user).get("/no/such/page/")
    assert response.status_code == 404 and b"Not found" in response.content


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) >= 8
