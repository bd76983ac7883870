"""factory_boy factories. Objects with rules (agents, operators) are created through their services."""

from __future__ import annotations

import itertools

import factory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.services import operator_create
from players.models import Player
from players.services import agent_create

_seq = itertools.count(1)
PASSWORD = "test-pass-123456"


def OperatorFactory(*, role: str, username: str | None = None, password: str = PASSWORD, **kwargs):
    user, _ = operator_create(username=username or f"op{next(_seq)}", role=role, password=password, **kwargs)
    return user


def AgentFactory(*, code: str | None = None, parent=None, flags=(), login: bool = True, **kwargs):
    n = next(_seq)
    code = code or f"AG{n}"
    kwargs.setdefault("credit_limit", "1000000" if parent is None else parent.credit_limit)
    kwargs.setdefault("max_wager", "10000" if parent is None else parent.max_wager)
    kwargs.setdefault("currency", "USD" if parent is None else parent.currency)
    agent, _ = agent_create(code=code, name=f"Agent {code}", parent=parent, flags=list(flags),
                            username=f"u_{code.lower()}" if login else None, password=PASSWORD, **kwargs)
    return agent


class PlayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Player

    username = factory.Sequence(lambda n: f"player{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    first_name = "Pat"
    last_name = "Player"
    country = "MT"
    currency = "EUR"


def totp_code(device) -> str:
    """The code a TOTP device (an authenticator app) shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def verify_otp(client, user) -> None:
    """Mark the client's session as past two-factor, as a confirmed TOTP device would."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
