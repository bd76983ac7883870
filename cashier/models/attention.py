"""The needs-attention queue: payments the gateway left unanswered past their deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backoffice.querysets import ScopedManager
from cashier.choices import AttentionOutcome
from cashier.models.payments import Deposit, Withdrawal
from cashier.querysets import AttentionItemQuerySet


class AttentionItem(models.Model):
    """A deposit or a payout whose gateway answer is overdue and that the status queries could not settle
    (no answer, "unknown", still pending, or an answer our services refused). Opened by the sweep, never
    resolved by guessing: it closes when the gateway answers after all (webhook or re-query) or when staff
    resolve it by hand (``cashier.services.gateway_status``). Above the currency's four-eyes threshold a
    manual resolution is proposed by one person and confirmed by another."""

    deposit = models.ForeignKey(Deposit, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="attention_items")
    withdrawal = models.ForeignKey(Withdrawal, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="attention_items")
    reason = models.CharField(max_length=300)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name="needs attention since")
    proposed_outcome = models.CharField(max_length=8, choices=AttentionOutcome.choices, blank=True,
                                        help_text="Four-eyes: the first person's resolution, awaiting a second.")
    proposed_reason = models.CharField(max_length=300, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolution = models.CharField(max_length=300, blank=True)

    objects = ScopedManager.from_queryset(AttentionItemQuerySet)()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "needs-attention item"
        verbose_name_plural = "needs attention"
        permissions = [("resolve_attentionitem", "Re-query and resolve payments that need attention")]
        constraints = [
            models.CheckConstraint(condition=models.Q(deposit__isnull=True) ^ models.Q(withdrawal__isnull=True),
                                   name="attentionitem_one_subject"),
            models.UniqueConstraint(fields=["deposit"], condition=models.Q(resolved_at__isnull=True),
                                    name="attentionitem_one_open_per_deposit"),
            models.UniqueConstraint(fields=["withdrawal"], condition=models.Q(resolved_at__isnull=True),
                                    name="attentionitem_one_open_per_withdrawal"),
        ]
        indexes = [models.Index(fields=["opened_at"], condition=models.Q(resolved_at__isnull=True),
                                name="attentionitem_open_idx")]

    def __str__(self) -> str:
        return f"{self.subject} needs attention"

    def get_absolute_url(self) -> str:
        return reverse("cashier:attentionitem", args=[self.pk])

    @property
    def subject(self) -> Deposit | Withdrawal:
        return self.deposit if self.deposit_id else self.withdrawal

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def kind(self) -> str:
        return "Payout" if self.withdrawal_id else "Deposit"

    @property
    def amount(self):
        return self.subject.amount

    @property
    def currency(self) -> str:
        return self.subject.currency

    @property
    def waiting_since(self):
        """When the wait on the gateway began: the payout was sent, the deposit handed over."""
        subject = self.subject
        return getattr(subject, "payout_sent_at", None) or subject.created_at
