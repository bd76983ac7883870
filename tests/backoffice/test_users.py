"""Administrators manage logins in the console: create, role, deactivate, reset 2FA, unlock."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.models import AuditEvent, User
from tests.factories import AgentFactory, OperatorFactory


@pytest.fixture
def admin_client(login, admin_user):
    return login(admin_user)


def test_list_and_detail(admin_client, db):
    OperatorFactory(role="Finance", username="felix")
    agent = AgentFactory(code="MA-L")
    page = admin_client.get("/system/logins/").content.decode()
    assert "felix" in page and "Finance" in page and "Master agent MA-L" in page
    only_agents = admin_client.get("/system/logins/", {"kind": "agent"}).content.decode()
    assert agent.user.username in only_agents and "felix" not in only_agents
    felix = User.objects.get(username="felix")
    assert admin_client.get(f"/system/logins/{felix.pk}/").status_code == 200


def test_create_operator_shows_password_once_and_audits(admin_client, admin_user, db):
    bad = admin_client.post("/system/logins/add/", {"username": "a b", "email": "nope", "role": "Boss"})
    assert bad.status_code == 200 and set(bad.context["form"].errors) == {"username", "email", "role"}
    ok = admin_client.post("/system/logins/add/", {"username": "nina", "email": "nina@example.test",
                                                   "role": "Marketing"}, follow=True)
    assert "shown only now" in ok.content.decode()
    nina = User.objects.get(username="nina")
    assert list(nina.groups.values_list("name", flat=True)) == ["Marketing"]
    assert AuditEvent.objects.filter(action="operator.create", actor=admin_user, object_id=str(nina.pk)).exists()
    dup = admin_client.post("/system/logins/add/", {"username": "NINA", "email": "n2@example.test",
                                                    "role": "Support"})
    assert "already exists" in dup.content.decode()


def test_role_change_and_last_administrator_guard(admin_client, admin_user, db):
    sam = OperatorFactory(role="Support", username="sam")
    admin_client.post(f"/system/logins/{sam.pk}/role/", {"role": "Finance", "reason": "moved team"})
    assert list(sam.groups.values_list("name", flat=True)) == ["Finance"]
    event = AuditEvent.objects.get(action="operator.role")
    assert (event.before, event.after, event.reason) == ({"role": "Support"}, {"role": "Finance"}, "moved team")
    refused = admin_client.post(f"/system/logins/{admin_user.pk}/role/", {"role": "Support", "reason": "oops"})
    assert "last active Administrator" in refused.content.decode()
    assert admin_user.groups.filter(name="Administrator").exists()


def test_deactivate_ends_sessions_and_cannot_target_self(admin_client, admin_user, login, db):
    sue = OperatorFactory(role="Support", username="sue")
    sue_client = login(sue)
    assert sue_client.get("/players/").status_code == 200
    no_reason = admin_client.post(f"/system/logins/{sue.pk}/active/", {"reason": ""})
    assert no_reason.status_code == 200 and no_reason.context["form"].errors
    admin_client.post(f"/system/logins/{sue.pk}/active/", {"reason": "left the company"})
    sue.refresh_from_db()
    assert not sue.is_active
    assert sue_client.get("/players/").status_code == 302  # signed out at the next request
    self_off = admin_client.post(f"/system/logins/{admin_user.pk}/active/", {"reason": "x"})
    assert "cannot deactivate your own" in self_off.content.decode()


def test_two_factor_reset_and_unlock_from_the_console(admin_client, admin_user, db):
    fin = OperatorFactory(role="Finance", username="fin9")
    TOTPDevice.objects.create(user=fin, name="phone", confirmed=True)
    admin_client.post(f"/system/logins/{fin.pk}/two-factor-reset/", {"reason": "new phone"})
    assert not TOTPDevice.objects.filter(user=fin).exists()
    assert AuditEvent.objects.get(action="auth.2fa_reset").actor == admin_user
    admin_client.post(f"/system/logins/{fin.pk}/unlock/", {"reason": "called in"})
    assert AuditEvent.objects.filter(action="auth.lockout_clear", actor=admin_user).exists()


def test_agent_logins_are_managed_from_the_agent_node(admin_client, db):
    agent = AgentFactory(code="MA-R")
    response = admin_client.post(f"/system/logins/{agent.user.pk}/role/", {"role": "Finance", "reason": "x"})
    assert "belongs to an agent node" in response.content.decode()
    assert not agent.user.groups.exists()
