"""Demo data of the project package: one operator login per role, with known passwords and TOTP keys.

Only for `make demo`: the keys are derived from the username, so anyone can compute the codes.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.hooks import Hook
from backoffice.roles import ROLES
from backoffice.services import operator_create

demo_seed = Hook("backoffice.demo_seed", """\
Demo data of one app for ``manage.py seed_demo``: ``receiver(*, stdout) -> [(login, description)]``, idempotent.
Each app registers its ``demo.seed`` from ``AppConfig.ready()``; ready() runs in INSTALLED_APPS order, so the apps
seed in that order (players before the cashier that funds them, before the games that play).""")

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - demo data, printed on purpose

DEMO_OPERATORS = [
    ("admin", "Administrator", "Ada", "Admin"),
    ("finance", "Finance", "Felix", "Finch"),
    ("risk", "Risk & Compliance", "Rita", "Reyes"),
    ("support", "Support", "Sam", "Santos"),
    ("content", "Content", "Chloe", "Chen"),
    ("marketing", "Marketing", "Mark", "Moreau"),
]


def demo_totp_key(username: str) -> str:
    return hashlib.sha256(f"demo-totp:{username}".encode()).hexdigest()[:40]


def seed(stdout) -> list[tuple[str, str]]:
    User = get_user_model()
    logins = []
    for username, role, first, last in DEMO_OPERATORS:
        assert role in ROLES
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _ = operator_create(username=username, role=role, password=DEMO_PASSWORD, first_name=first,
                                      last_name=last, email=f"{username}@demo.example")
            if role == "Administrator":
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            stdout.write(f"  operator {username} ({role})")
        elif not user.groups.filter(name=role).exists():
            user.groups.add(Group.objects.get(name=role))
        TOTPDevice.objects.get_or_create(user=user, name="Demo authenticator",
                                         defaults={"key": demo_totp_key(username), "confirmed": True})
        logins.append((username, role))
    return logins
