"""Manual adjustments of a player's cash wallet and their per-currency limits."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.money import CurrencyField, MoneyField, format_money
from backoffice.querysets import ScopedManager
from cashier.choices import AdjustmentReason, AdjustmentStatus
from cashier.models.ledger import Account, LedgerTransaction
from cashier.querysets import AdjustmentPolicyQuerySet, AdjustmentQuerySet


class AdjustmentPolicy(models.Model):
    """Per currency: a manual adjustment larger than ``ceiling`` is refused; one larger than
    ``four_eyes_above`` waits for a second person's approval. Both compare the absolute amount (credit or
    debit). A currency without a row gets ``cashier.constants.ADJUSTMENT_*_DEFAULT``."""

    currency = CurrencyField(unique=True)
    ceiling = MoneyField(default=Decimal("50000"), help_text="Largest adjustment (credit or debit) allowed.")
    four_eyes_above = MoneyField(default=Decimal("1000"),
                                 help_text="Above this, a second person must approve the adjustment.")

    objects = ScopedManager.from_queryset(AdjustmentPolicyQuerySet)()

    class Meta:
        ordering = ["currency"]
        verbose_name_plural = "adjustment policies"
        constraints = [
            models.CheckConstraint(condition=models.Q(ceiling__gt=0) & models.Q(four_eyes_above__gte=0)
                                   & models.Q(four_eyes_above__lte=models.F("ceiling")),
                                   name="adjustmentpolicy_limits"),
        ]

    def __str__(self) -> str:
        return f"Adjustment limits {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:adjustmentpolicy_edit", args=[self.pk])


class Adjustment(models.Model):
    """A manual adjustment of a player's cash wallet, as requested: posted at once, or (above the
    currency's four-eyes threshold) pending until another person approves it (then posted) or rejects it."""

    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="adjustments")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="adjustments")
    amount = MoneyField(help_text="Positive credits the cash wallet, negative debits it.")
    currency = CurrencyField()
    reason_code = models.CharField(max_length=20, choices=AdjustmentReason.choices)
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=AdjustmentStatus.choices, db_index=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_label = models.CharField(max_length=100, blank=True, help_text="Ops command: who ran it.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="Four-eyes: who approved or rejected it.")
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=300, blank=True)
    transaction = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager.from_queryset(AdjustmentQuerySet)()

    class Meta:
        ordering = ["-id"]
        permissions = [("approve_adjustment", "Approve or reject manual adjustments above the four-eyes threshold")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="adjustment_amount_not_0"),
            models.CheckConstraint(condition=~models.Q(status="posted") | models.Q(transaction__isnull=False),
                                   name="adjustment_posted_has_transaction"),
        ]

    def __str__(self) -> str:
        return f"Adjustment #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:adjustment", args=[self.pk])

    @property
    def direction(self) -> str:
        return "credit" if self.amount > 0 else "debit"

    @property
    def summary(self) -> str:
        """"Credit 1,000.00 EUR to alice's cash wallet"."""
        preposition = "to" if self.amount > 0 else "from"
        return (f"{self.direction.capitalize()} {format_money(abs(self.amount), self.currency)} {preposition} "
                f"{self.player}'s cash wallet")
