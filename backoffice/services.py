"""Services of the project package: the audit log and operator accounts."""

from __future__ import annotations

import getpass
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from psycopg.types.json import Jsonb

from backoffice.context import client_ip_var, request_id_var
from backoffice.exceptions import ApplicationError
from backoffice.models import AuditChainHead, AuditEvent
from backoffice.querysets import agent_for_user
from backoffice.roles import ROLES

GENESIS_HASH = "0" * 64


def _floats_as_text(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)  # jsonb may print a float differently than Python; text is stable
    if isinstance(value, dict):
        return {k: _floats_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats_as_text(v) for v in value]
    return value


def _normalise(value: Any) -> Any:
    """JSON-round-trip a value so that what is hashed is exactly what PostgreSQL stores and returns."""
    if value is None:
        return None
    return _floats_as_text(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def audit_hash(*, seq: int, created_at, actor_id, actor_label, integration, action, object_type,
               object_id, object_repr, before, after, reason, ip, request_id, prev_hash) -> str:
    payload = {
        "seq": seq, "created_at": created_at.isoformat(), "actor_id": actor_id, "actor_label": actor_label,
        "integration": integration, "action": action, "object_type": object_type, "object_id": object_id,
        "object_repr": object_repr, "before": before, "after": after, "reason": reason, "ip": ip,
        "request_id": request_id, "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot(instance: Model, *, fields: list[str] | None = None) -> dict:
    """A JSON-able dict of a model instance's field values, for an audit row's before/after."""
    secret = {"password", *getattr(instance, "AUDIT_EXCLUDE", ())}  # e.g. a provider's signing secret
    data = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if (fields is None or f.name in fields) and f.name not in secret}
    return _normalise({k: (str(v) if hasattr(v, "read") else v) for k, v in data.items()})


# Raw SQL on purpose (the one place in this module): an append is two round trips instead of six, and the
# chain's lock is the head row itself, held from the first statement until the caller's commit.
_HEAD_LOCK_SQL = """
    INSERT INTO backoffice_auditchainhead (id, seq, hash) VALUES (1, 0, %s)
    ON CONFLICT (id) DO UPDATE SET seq = backoffice_auditchainhead.seq
    RETURNING seq, hash
"""
_APPEND_SQL = """
    WITH event AS (
        INSERT INTO backoffice_auditevent (seq, created_at, actor_id, actor_label, integration, action,
            object_type, object_id, object_repr, before, after, reason, ip, request_id, prev_hash, hash)
        VALUES (%(seq)s, %(created_at)s, %(actor_id)s, %(actor_label)s, %(integration)s, %(action)s,
            %(object_type)s, %(object_id)s, %(object_repr)s, %(before)s, %(after)s, %(reason)s, %(ip)s,
            %(request_id)s, %(prev_hash)s, %(hash)s)
        RETURNING id
    )
    UPDATE backoffice_auditchainhead SET seq = %(seq)s, hash = %(hash)s WHERE id = 1
    RETURNING (SELECT id FROM event)
"""


def audit_record(*, actor=None, action: str, target: Model | None = None, object_type: str = "",
                 object_id: str = "", before: Any = None, after: Any = None, reason: str = "",
                 integration: str = "", actor_label: str = "") -> AuditEvent:
    """Append one row to the audit chain, in the caller's transaction.

    The chain head's row lock serializes appends until the caller commits, so call it last in the
    service's transaction (docs/architecture.md, "Audit log", has the measured throughput).
    """

    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, label = actor.pk, actor_label or actor.get_username()
    else:
        actor_id, label = None, actor_label or integration or "system"
    row = {
        "created_at": timezone.now(),
        "actor_id": actor_id,
        "actor_label": label[:150],
        "integration": integration[:64],
        "action": action[:64],
        "object_type": object_type[:100],
        "object_id": str(object_id)[:64],
        "object_repr": (str(target) if target is not None else "")[:200],
        "before": _normalise(before),
        "after": _normalise(after),
        "reason": reason,
        "ip": client_ip_var.get(),
        "request_id": request_id_var.get()[:64],
    }
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute(_HEAD_LOCK_SQL, [GENESIS_HASH])
        head_seq, head_hash = cur.fetchone()
        row.update(seq=head_seq + 1, prev_hash=head_hash)
        row["hash"] = audit_hash(**row)
        params = {**row, "before": None if row["before"] is None else Jsonb(row["before"]),
                  "after": None if row["after"] is None else Jsonb(row["after"])}
        cur.execute(_APPEND_SQL, params)
        (event_id,) = cur.fetchone()
    return AuditEvent(pk=event_id, **row)


@dataclass
class ChainReport:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_chain_verify(*, batch_size: int = 5000, progress=None) -> ChainReport:
    """Recompute the audit chain from the first row and report every break (edit, delete, truncation)."""
    report = ChainReport()
    expected_prev, expected_seq = GENESIS_HASH, 1
    cols = ["seq", "created_at", "actor_id", "actor_label", "integration", "action", "object_type",
            "object_id", "object_repr", "before", "after", "reason", "ip", "request_id", "prev_hash", "hash"]
    qs = AuditEvent.objects.order_by("seq").values_list(*cols)
    for values in qs.iterator(chunk_size=batch_size):
        row = dict(zip(cols, values, strict=True))
        stored = row.pop("hash")
        if row["seq"] != expected_seq:
            report.problems.append(f"rows {expected_seq}..{row['seq'] - 1} are missing (deleted)")
        if row["prev_hash"] != expected_prev:
            report.problems.append(f"row {row['seq']}: link to the previous row is broken")
        if audit_hash(**row) != stored:
            report.problems.append(f"row {row['seq']}: content does not match its hash (edited)")
        expected_prev, expected_seq = stored, row["seq"] + 1
        report.checked += 1
        if progress and report.checked % 50_000 == 0:
            progress(report.checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    report.head_seq, report.head_hash = expected_seq - 1, expected_prev
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        report.problems.append(
            f"the chain ends at row {expected_seq - 1} but the recorded head is row {head.seq} (tail removed)"
        )
    return report


# --- Operator accounts --------------------------------------------------------------------------

@transaction.atomic
def operator_create(*, username: str, email: str = "", role: str, password: str | None = None,
                    actor=None, first_name: str = "", last_name: str = "") -> tuple[Any, str]:
    """Create an operator staff login in one role. Returns (user, password); generates one if not given."""
    if role not in ROLES:
        raise ApplicationError(f"Unknown role {role!r}. Roles: {', '.join(ROLES)}.", code="role")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"A login named {username!r} already exists.", code="duplicate")
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name,
                is_staff=role == "Administrator")
    user.set_password(password)
    user.full_clean()
    user.save()
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    audit_record(actor=actor, action="operator.create", target=user,
                 after={"username": username, "email": email, "role": role})
    return user, password


@transaction.atomic
def reference_save(*, instance: Model, before: dict | None, actor, fields: list[str] | None = None) -> Model:
    """Validate and save a reference-data object edited through a generic form, with its audit row.

    ``fields``: the form's changed fields; an edit writes only those columns (others may be changing them).
    """
    instance.full_clean()
    concrete = {f.name for f in instance._meta.concrete_fields}
    update_fields = [f for f in (fields or []) if f in concrete]
    if before is not None and fields is not None:
        if update_fields:
            instance.save(update_fields=update_fields)
    else:
        instance.save()
    label = instance._meta.label_lower
    audit_record(actor=actor, action=f"{label.split('.')[1]}.{'change' if before else 'create'}",
                 target=instance, before=before, after=snapshot(instance))
    return instance


def ops_actor_label() -> str:
    """Who ran a management command: the OS user, for audit rows written by ops commands."""

    try:
        return f"ops:{getpass.getuser()}"
    except (KeyError, OSError):
        return "ops:unknown"


@transaction.atomic
def user_two_factor_reset(*, username: str, reason: str, actor=None) -> int:
    """Remove a login's TOTP devices (lost phone); the next sign-in enrols a new one. Returns devices removed."""

    if not reason.strip():
        raise ApplicationError("A reason is required.", code="reason")
    user = get_user_model().objects.filter(username__iexact=username).first()
    if user is None:
        raise ApplicationError(f"No login named {username!r}.", code="not_found")
    devices = list(TOTPDevice.objects.filter(user=user).values("name", "confirmed"))
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, actor_label="" if actor else ops_actor_label(), action="auth.2fa_reset",
                 target=user, before={"devices": devices}, after={"devices": []}, reason=reason)
    return len(devices)


@transaction.atomic
def user_lockout_clear(*, username: str, reason: str, actor=None) -> int:
    """Clear django-axes lockouts and failure counts for a username. Returns the records removed."""

    if not reason.strip():
        raise ApplicationError("A reason is required.", code="reason")
    attempts = AccessAttempt.objects.filter(username=username)
    count = attempts.count()
    attempts.delete()
    audit_record(actor=actor, actor_label="" if actor else ops_actor_label(), action="auth.lockout_clear",
                 object_type="backoffice.user", object_id=username, before={"attempt_records": count},
                 after={"attempt_records": 0}, reason=reason)
    return count


def _role_of(user) -> str | None:
    names = [g.name for g in user.groups.all() if g.name in ROLES]
    return names[0] if names else None


def _other_active_administrators(user) -> bool:
    return get_user_model().objects.filter(groups__name="Administrator", is_active=True).exclude(pk=user.pk).exists()


def _operator_for_update(user_id: int):
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    if agent_for_user(user) is not None:
        raise ApplicationError("This login belongs to an agent node; manage it from the agent's page.",
                               code="agent_login")
    return user


@transaction.atomic
def operator_role_set(*, user_id: int, role: str, actor, reason: str = ""):
    """Put an operator login in exactly one role. The last active Administrator keeps the role."""
    if role not in ROLES:
        raise ApplicationError(f"Unknown role {role!r}.", code="role")
    user = _operator_for_update(user_id)
    before = _role_of(user)
    if before == role:
        return user
    if before == "Administrator" and user.is_active and not _other_active_administrators(user):
        raise ApplicationError("This is the last active Administrator; make someone else Administrator first.",
                               code="last_admin")
    user.groups.remove(*user.groups.filter(name__in=list(ROLES)))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = role == "Administrator"
    user.save(update_fields=["is_staff"])
    audit_record(actor=actor, action="operator.role", target=user, before={"role": before}, after={"role": role},
                 reason=reason)
    return user


@transaction.atomic
def user_active_set(*, user_id: int, active: bool, actor, reason: str):
    """Deactivate (sessions end at their next request) or reactivate a login."""
    if not reason.strip():
        raise ApplicationError("A reason is required.", code="reason")
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    if user.is_active == active:
        return user
    if not active and actor is not None and actor.pk == user.pk:
        raise ApplicationError("You cannot deactivate your own login.", code="self")
    if not active and _role_of(user) == "Administrator" and not _other_active_administrators(user):
        raise ApplicationError("This is the last active Administrator.", code="last_admin")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="user.activate" if active else "user.deactivate", target=user,
                 before={"is_active": not active}, after={"is_active": active}, reason=reason)
    return user
