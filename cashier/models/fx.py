"""FX rates and gateway reconciliation runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from backoffice.money import CurrencyField
from backoffice.querysets import ScopedManager
from cashier.models.payments import PaymentGateway
from cashier.querysets import (
    FxRateQuerySet,
    ReconciliationRunQuerySet,
)


class FxRate(models.Model):
    """1 unit of ``currency`` = ``rate`` units of the base currency, from ``valid_from`` on."""

    currency = CurrencyField()
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    valid_from = models.DateTimeField()
    source = models.CharField(max_length=40, default="manual")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager.from_queryset(FxRateQuerySet)()

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = "FX rate"
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fxrate_rate_gt_0"),
            models.UniqueConstraint(fields=["currency", "valid_from"], name="fxrate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:fxrate_list")


class ReconciliationRun(models.Model):
    """One settlement file matched against our records; the result rows are kept for download."""

    gateway = models.ForeignKey(PaymentGateway, on_delete=models.PROTECT, related_name="reconciliations")
    file_name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)
    rows = models.JSONField(default=list)

    objects = ScopedManager.from_queryset(ReconciliationRunQuerySet)()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Reconciliation {self.pk} · {self.gateway.code}"

    def get_absolute_url(self) -> str:
        return reverse("cashier:reconciliationrun", args=[self.pk])
