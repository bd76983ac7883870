"""Shared models of the project package: the login user and the tamper-evident audit log.

Audit log design
----------------
``AuditEvent`` is append-only: a database trigger refuses UPDATE and DELETE, and rows are written
only by :func:`backoffice.services.audit_record` inside the caller's transaction, so an audited change
and its audit row commit or roll back together.

Each row carries ``seq`` (gap-free, 1, 2, 3 ...), ``prev_hash`` (the hash of row ``seq - 1``) and
``hash`` = SHA-256 over a canonical JSON of the row's content and ``prev_hash``. An append locks the
single ``AuditChainHead`` row (which records the last ``seq`` and hash) until its transaction commits,
so the chain is one line even under concurrent writers. ``manage.py audit_verify`` recomputes the chain:
an edited row breaks its own hash, a deleted row leaves a gap in ``seq`` or a broken link, and a
truncated tail disagrees with the head. A periodic task logs the head hash (external anchoring), so
even rewriting the whole chain and the head is caught against the logs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse

from backoffice.querysets import ScopedManager, ScopedQuerySet, is_operator_staff


class UserQuerySet(ScopedQuerySet):
    """Logins: only administrators browse them; every operator sees who acted ("By op7"), agents never."""

    def can_name(self, user) -> bool:
        return self.can(user, "view") or is_operator_staff(user)

    def names(self, user, obj) -> bool:
        return is_operator_staff(user) or self.permits(user, obj, "view")


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager (natural keys, create_user) with the scoping queryset."""


class User(AbstractUser):
    """A login of the back office: operator staff (role = Django groups) or an agent (linked node).

    Players are not users of this console; they live in ``players.Player``.
    """

    objects = ScopedUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def get_absolute_url(self) -> str:
        return reverse("backoffice:user", args=[self.pk])


class AuditEventQuerySet(ScopedQuerySet):
    """Risk & Compliance and administrators read the audit log; agents never do."""


class AuditChainHeadQuerySet(ScopedQuerySet):
    """Bookkeeping of the audit chain: no page shows it; administrators only."""


class AuditEvent(models.Model):
    """One state change made by a person or an integration: who, what, when, before and after."""

    seq = models.BigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Username or integration name at the time.")
    integration = models.CharField(max_length=64, blank=True, help_text="Set when an integration acted.")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ScopedManager.from_queryset(AuditEventQuerySet)()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-seq"], name="audit_object_idx"),
            models.Index(fields=["actor", "-seq"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"

    def get_absolute_url(self) -> str:
        return reverse("backoffice:auditevent", args=[self.pk])

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every key whose value differs, for the detail page."""
        before, after = self.before or {}, self.after or {}
        if not isinstance(before, dict) or not isinstance(after, dict):
            return []
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditChainHead(models.Model):
    """The single row that records the end of the audit chain (last seq and its hash)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    objects = ScopedManager.from_queryset(AuditChainHeadQuerySet)()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="auditchainhead_singleton")]

    def __str__(self) -> str:
        return f"audit chain head #{self.seq}"
