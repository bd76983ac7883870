"""Ops commands: create_operator, create_agent, seed_demo (idempotent)."""

import pytest
from django.core.management import CommandError, call_command

from backoffice.models import AuditEvent, User
from players.models import Agent, Player, TimelineEvent


@pytest.mark.django_db
def test_create_operator(capsys):
    call_command("create_operator", "fiona", "--role", "Finance", "--email", "f@example.test")
    out = capsys.readouterr().out
    assert "Password:" in out
    user = User.objects.get(username="fiona")
    assert list(user.groups.values_list("name", flat=True)) == ["Finance"]
    assert user.has_perm("players.view_player") and not user.has_perm("backoffice.view_auditevent")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_operator", "FIONA", "--role", "Finance")
    with pytest.raises(CommandError):
        call_command("create_operator", "x", "--role", "Janitor")


@pytest.mark.django_db
def test_create_agent_tree_and_errors(capsys):
    call_command("create_agent", "MA-1", "--flags", "all", "--username", "ma1", "--credit-limit", "1000",
                 "--max-wager", "100")
    call_command("create_agent", "AG-1", "--parent", "MA-1", "--flags", "add_accounts", "--credit-limit", "500")
    call_command("create_agent", "SA-1", "--parent", "AG-1")
    sa = Agent.objects.get(code="SA-1")
    assert sa.level == 3 and sa.path == f"/{Agent.objects.get(code='MA-1').pk}/{sa.parent_id}/{sa.pk}/"
    assert "password:" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No agent"):
        call_command("create_agent", "X", "--parent", "NOPE")
    with pytest.raises(CommandError, match="Sub-agents cannot"):
        call_command("create_agent", "TOO-DEEP", "--parent", "SA-1")
    with pytest.raises(CommandError, match="cannot exceed"):
        call_command("create_agent", "AG-2", "--parent", "MA-1", "--credit-limit", "5000")
    with pytest.raises(CommandError, match="Unknown flags"):
        call_command("create_agent", "AG-3", "--parent", "MA-1", "--flags", "fly")
    with pytest.raises(CommandError, match="not a decimal"):
        call_command("create_agent", "AG-4", "--parent", "MA-1", "--credit-limit", "ten")
    with pytest.raises(CommandError, match="negative"):
        call_command("create_agent", "AG-5", "--parent", "MA-1", "--credit-limit", "-1")
    assert not Agent.objects.filter(code__in=["TOO-DEEP", "AG-2", "AG-3", "AG-4", "AG-5"]).exists()


@pytest.mark.django_db
def test_seed_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (User.objects.count(), Agent.objects.count(), Player.objects.count(), AuditEvent.objects.count())
    assert counts[1] >= 9 and counts[2] >= 600
    call_command("seed_demo")
    assert counts == (User.objects.count(), Agent.objects.count(), Player.objects.count(),
                      AuditEvent.objects.count())
    # The demo's timeline reads as the services record it: an agent reads no staff-typed reason.
    agent = Agent.objects.filter(user__isnull=False).exclude(parent=None).first()
    texts = [e.text for e in TimelineEvent.objects.filter(player__agent__path__startswith=agent.path)
             .for_reader(agent.user)]
    assert texts and not [t for t in texts if "Passport" in t or "Documents uploaded" in t or "Blurry" in t]


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_reset_2fa_and_unlock_login_are_audited(client, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import PASSWORD, OperatorFactory

    user = OperatorFactory(role="Support", username="lost")
    TOTPDevice.objects.create(user=user, name="old phone", confirmed=True)
    with pytest.raises(CommandError, match="reason"):
        call_command("reset_2fa", "lost", "--reason", " ")
    call_command("reset_2fa", "lost", "--reason", "ticket 42: phone lost")
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="auth.2fa_reset")
    assert event.actor_label.startswith("ops:") and event.before["devices"][0]["name"] == "old phone"

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "lost", "password": "bad"})
    assert client.post("/login/", {"username": "lost", "password": PASSWORD}).status_code == 429
    call_command("unlock_login", "lost", "--reason", "verified by phone")
    # The IP was locked too (spraying protection); a different source can now sign in as the user.
    assert client.post("/login/", {"username": "lost", "password": PASSWORD},
                       REMOTE_ADDR="192.0.2.10").status_code == 302
    assert AuditEvent.objects.filter(action="auth.lockout_clear", object_id="lost").exists()
    with pytest.raises(CommandError, match="No login"):
        call_command("reset_2fa", "ghost", "--reason", "x")
