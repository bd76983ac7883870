"""Payments: gateways, methods, deposits, webhook events, withdrawals and their approval rules."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.money import CurrencyField, MoneyField
from backoffice.querysets import ScopedManager
from cashier.choices import DepositStatus, WithdrawalStatus
from cashier.models.ledger import LedgerTransaction
from cashier.querysets import (
    AutoApprovalRuleQuerySet,
    DepositQuerySet,
    PaymentGatewayQuerySet,
    PaymentMethodQuerySet,
    WebhookEventQuerySet,
    WithdrawalPolicyQuerySet,
    WithdrawalQuerySet,
)


def _new_secret() -> str:
    return secrets.token_hex(32)


class PaymentGateway(models.Model):
    """A payment service provider. Its webhooks are signed with ``webhook_secret`` (HMAC-SHA256)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    webhook_secret = models.CharField(max_length=128, default=_new_secret, editable=False,
                                      help_text="Shared HMAC secret for webhooks (generated).")
    is_simulated = models.BooleanField(default=False, help_text="The built-in simulator (demo and tests).")
    is_active = models.BooleanField(default=True)
    simulation = models.JSONField(default=dict, blank=True,
                                  help_text='Simulator only: {"fail_rate": 0.1, "timeout_rate": 0.05, '
                                            '"duplicate_rate": 0.2, "delay_seconds": 3}')

    objects = ScopedManager.from_queryset(PaymentGatewayQuerySet)()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cashier:paymentgateway", args=[self.pk])


class PaymentMethod(models.Model):
    """A way to pay through a gateway, in one currency, for some countries, within min/max amounts."""

    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="methods")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=100)
    currency = CurrencyField()
    countries = models.CharField(max_length=300, blank=True,
                                 help_text="ISO-3166 alpha-2 codes separated by commas; empty: every country.")
    min_amount = MoneyField(default=Decimal("10"))
    max_amount = MoneyField(default=Decimal("5000"))
    supports_payouts = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager.from_queryset(PaymentMethodQuerySet)()

    class Meta:
        ordering = ["gateway__name", "name", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "code", "currency"], name="paymentmethod_unique"),
            models.CheckConstraint(
                condition=models.Q(min_amount__gt=0) & models.Q(max_amount__gte=models.F("min_amount")),
                name="paymentmethod_min_max"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    def get_absolute_url(self) -> str:
        return reverse("cashier:paymentmethod_edit", args=[self.pk])

    def allows_country(self, country: str) -> bool:
        allowed = {c.strip().upper() for c in self.countries.split(",") if c.strip()}
        return not allowed or country.upper() in allowed


class AwaitsGateway(models.Model):
    """Bookkeeping of a row that waits on the gateway's answer (a pending deposit, a payout sent).

    ``answer_due_at`` is the deadline: past it, the sweep (``cashier.services.gateway_status``) asks the
    gateway for the status; ``None`` when nothing is awaited or when the row is in the needs-attention queue.
    """

    answer_due_at = models.DateTimeField(null=True, blank=True,
                                         help_text="Past this, the gateway is asked for the status.")
    status_queries = models.PositiveSmallIntegerField(default=0, help_text="Status queries sent to the gateway.")
    last_query_at = models.DateTimeField(null=True, blank=True)
    last_query_result = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class Deposit(AwaitsGateway):
    """A player's deposit: initiated > pending > confirmed | failed | expired. Credited once, on confirm."""

    reference = models.CharField(max_length=40, unique=True, help_text="Our reference, sent to the gateway.")
    idempotency_key = models.CharField(max_length=200, unique=True)
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="deposits")
    method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="deposits")
    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="deposits")
    amount = MoneyField()
    currency = CurrencyField()
    status = models.CharField(max_length=16, choices=DepositStatus.choices, default=DepositStatus.INITIATED)
    gateway_reference = models.CharField(max_length=100, blank=True)
    is_ftd = models.BooleanField(default=False, verbose_name="first-time deposit")
    failure_reason = models.CharField(max_length=200, blank=True)
    ledger_transaction = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="deposit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(DepositQuerySet)()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="deposit_amount_gt_0"),
            models.UniqueConstraint(fields=["player"], condition=models.Q(is_ftd=True), name="deposit_one_ftd"),
            models.CheckConstraint(condition=~models.Q(status="confirmed") | models.Q(ledger_transaction__isnull=False),
                                   name="deposit_confirmed_is_posted"),
        ]
        indexes = [models.Index(fields=["player", "status", "created_at"], name="deposit_player_status_idx"),
                   models.Index(fields=["status", "created_at"], name="deposit_status_idx"),
                   models.Index(fields=["answer_due_at"], condition=models.Q(answer_due_at__isnull=False),
                                name="deposit_answer_due_idx")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cashier:deposit", args=[self.pk])


class WebhookEvent(models.Model):
    """Every accepted webhook call, by the gateway's event id: a replay is answered from here."""

    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40)
    reference = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    outcome = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(WebhookEventQuerySet)()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="webhookevent_unique")]

    def __str__(self) -> str:
        return f"{self.gateway.code}:{self.event_id}"


class Withdrawal(AwaitsGateway):
    """A payout request. Requesting moves the funds to pending withdrawals (reserve); rejection returns
    them; approval queues the payout, which moves them from pending withdrawals to gateway clearing."""

    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="withdrawals")
    method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="withdrawals")
    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="withdrawals")
    amount = MoneyField()
    currency = CurrencyField()
    status = models.CharField(max_length=16, choices=WithdrawalStatus.choices, default=WithdrawalStatus.REQUESTED)
    auto_approved = models.BooleanField(default=False)
    hold_reasons = models.JSONField(default=list, blank=True, help_text="Why automatic approval did not apply.")
    needs_second_approval = models.BooleanField(default=False)
    first_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    rejection_reason = models.CharField(max_length=300, blank=True)
    payout_reference = models.CharField(max_length=100, blank=True)
    payout_sent_at = models.DateTimeField(null=True, blank=True)
    reserve_transaction = models.OneToOneField(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    settle_transaction = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="+", help_text="Payout or release.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager.from_queryset(WithdrawalQuerySet)()

    class Meta:
        ordering = ["-id"]
        permissions = [("approve_withdrawal", "Approve or reject withdrawals"),
                       ("release_aml_hold", "Approve a withdrawal held for open AML flags (Risk & Compliance)")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="withdrawal_amount_gt_0")]
        indexes = [models.Index(fields=["status", "created_at"], name="withdrawal_status_idx"),
                   models.Index(fields=["answer_due_at"], condition=models.Q(answer_due_at__isnull=False),
                                name="withdrawal_answer_due_idx")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cashier:withdrawal", args=[self.pk])


class WithdrawalPolicy(models.Model):
    """Per currency: above ``four_eyes_above`` a withdrawal needs two different approvers."""

    currency = CurrencyField(unique=True)
    four_eyes_above = MoneyField(default=Decimal("5000"))

    objects = ScopedManager.from_queryset(WithdrawalPolicyQuerySet)()

    class Meta:
        ordering = ["currency"]
        verbose_name_plural = "withdrawal policies"

    def __str__(self) -> str:
        return f"Withdrawal policy {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:withdrawalpolicy_edit", args=[self.pk])


class AutoApprovalRule(models.Model):
    """A withdrawal is approved automatically when one active rule of its currency matches it entirely
    (and the player has no open AML flag)."""

    name = models.CharField(max_length=100)
    currency = CurrencyField()
    min_vip_level = models.PositiveSmallIntegerField(default=0)
    max_amount = MoneyField()
    require_kyc_verified = models.BooleanField(default=True)
    min_account_age_days = models.PositiveIntegerField(default=7)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager.from_queryset(AutoApprovalRuleQuerySet)()

    class Meta:
        ordering = ["currency", "min_vip_level"]
        constraints = [models.CheckConstraint(condition=models.Q(max_amount__gt=0), name="autorule_max_gt_0")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cashier:autoapprovalrule_edit", args=[self.pk])
