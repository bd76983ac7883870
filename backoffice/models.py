"""Shared models of the project package: the login user, the tamper-evident audit log, export jobs.

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

import os

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.files.storage import FileSystemStorage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse

from backoffice.choices import ExportFormat, ExportStatus
from backoffice.querysets import ScopedManager, ScopedQuerySet, agent_for_user, is_operator_staff, permission_name


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


class ExportStorage(FileSystemStorage):
    """The files of export jobs, in ``EXPORT_DIR`` as it is at each use (not frozen when models load)."""

    @property
    def base_location(self):
        return settings.EXPORT_DIR

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def export_storage():
    return ExportStorage()


class ExportJobQuerySet(ScopedQuerySet):
    """Every signed-in user sees its own export jobs; operators with ``backoffice.view_exportjob`` see all.

    A job holds rows its user was allowed to take out of the console, so it stays that user's: an agent never
    sees another login's job, and operator staff without the permission see only their own.
    """

    agent_actions = {"view": None}

    def agent_scope(self, agent, action: str) -> Q:
        return Q(user_id=agent.user_id)

    def can(self, user, action: str = "view") -> bool:
        if action == "view" and getattr(user, "is_authenticated", False) and user.is_active:
            agent = agent_for_user(user)
            return agent is None or agent.is_active
        return super().can(user, action)

    def restrict(self, user, action: str = "view") -> ScopedQuerySet:
        if not self.can(user, action):
            return self.none()
        if user.is_superuser or (agent_for_user(user) is None and user.has_perm(permission_name(self.model, action))):
            return self.all()
        return self.filter(user_id=user.pk)


class ExportJob(models.Model):
    """A list export too large to answer inline: run by a Celery worker into a file the user downloads later.

    ``path`` and ``query`` are the list page and its query string as the user asked for them; the worker
    re-runs that page's restricted, filtered, ordered queryset for ``user`` (``ObjectListView.for_user``), so
    the file holds exactly the rows the inline export would. ``run`` counts the starts: a worker writes
    progress only while the job's ``run`` is still its own, so a restarted job (a redelivered task, a second
    run) takes over and the older run stops. ``updated_at`` is the heartbeat the sweep reads.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=200, help_text="The list page exported.")
    query = models.TextField(blank=True, help_text="Its query string: filters, search, ordering.")
    object_type = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0, help_text="Estimated when asked, exact when done.")
    rows_done = models.PositiveIntegerField(default=0)
    run = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=export_storage, blank=True, max_length=200)
    size = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    notified = models.BooleanField(default=False, help_text="The user was told it finished.")

    objects = ScopedManager.from_queryset(ExportJobQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="exportjob_user_idx"),
            models.Index(fields=["status"], name="exportjob_open_idx",
                         condition=Q(status__in=["queued", "running"])),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_format_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("backoffice:exportjob", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
