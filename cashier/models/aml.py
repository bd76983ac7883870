"""AML: thresholds per currency, cases and the flags they group, case notes."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from cashier.choices import CaseStatus, FlagKind
from cashier.models.payments import Deposit, Withdrawal
from cashier.querysets import (
    AmlCaseNoteQuerySet,
    AmlCaseQuerySet,
    AmlFlagQuerySet,
    AmlThresholdQuerySet,
)


class AmlThreshold(models.Model):
    """Per currency thresholds of the AML and fraud rules."""

    currency = CurrencyField(unique=True)
    large_transaction = MoneyField(default=Decimal("10000"))
    velocity_count = models.PositiveSmallIntegerField(default=5, help_text="Deposits within the window ...")
    velocity_minutes = models.PositiveIntegerField(default=60)
    max_methods = models.PositiveSmallIntegerField(default=3, help_text="Distinct deposit methods in 30 days.")
    min_play_ratio = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.00"),
                                         help_text="Withdrawing after wagering less than this times the deposits "
                                                   "of the last 30 days raises a flag.")

    objects = ScopedManager.from_queryset(AmlThresholdQuerySet)()

    class Meta:
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"AML thresholds {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:amlthreshold_edit", args=[self.pk])


class AmlCase(models.Model):
    """A Risk & Compliance case: one open case per player collects its flags."""

    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="aml_cases")
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = ScopedManager.from_queryset(AmlCaseQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = "AML case"
        constraints = [models.UniqueConstraint(fields=["player"], condition=~models.Q(status="resolved"),
                                               name="amlcase_one_open_per_player")]

    def __str__(self) -> str:
        return f"Case {self.pk} · {self.player}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:amlcase", args=[self.pk])


class AmlFlag(models.Model):
    """One rule hit, linked to the transaction that raised it."""

    case = models.ForeignKey(AmlCase, on_delete=models.PROTECT, related_name="flags")
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="aml_flags")
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    summary = models.CharField(max_length=300)
    blocks_deposits = models.BooleanField(default=False)
    deposit = models.ForeignKey(Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    withdrawal = models.ForeignKey(Withdrawal, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(AmlFlagQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = "AML flag"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.player}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:amlcase", args=[self.case_id])


class AmlCaseNote(models.Model):
    """A note of the compliance team on an AML case (operator staff only, like the case)."""

    case = models.ForeignKey(AmlCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(AmlCaseNoteQuerySet)()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on case {self.case_id}"
