"""Cashier reference data: gateways, methods, approval rules, four-eyes and AML thresholds, FX rates."""

from __future__ import annotations

from backoffice.views import generic
from cashier import forms, tables
from cashier.models import (
    AmlThreshold,
    AutoApprovalRule,
    FxRate,
    PaymentGateway,
    PaymentMethod,
    WithdrawalPolicy,
)


class PaymentGatewayListView(generic.ObjectListView):
    queryset = PaymentGateway.objects.all()
    table = tables.PaymentGatewayTable
    title = "Payment gateways"
    add_url = "cashier:paymentgateway_add"


class PaymentGatewayEditView(generic.ObjectEditView):
    queryset = PaymentGateway.objects.all()
    form = forms.PaymentGatewayForm


class PaymentMethodListView(generic.ObjectListView):
    queryset = PaymentMethod.objects.all()
    table = tables.PaymentMethodTable
    title = "Payment methods"
    add_url = "cashier:paymentmethod_add"


class PaymentMethodEditView(generic.ObjectEditView):
    queryset = PaymentMethod.objects.all()
    form = forms.PaymentMethodForm


class AutoApprovalRuleListView(generic.ObjectListView):
    queryset = AutoApprovalRule.objects.all()
    table = tables.AutoApprovalRuleTable
    title = "Automatic withdrawal approval rules"
    add_url = "cashier:autoapprovalrule_add"


class AutoApprovalRuleEditView(generic.ObjectEditView):
    queryset = AutoApprovalRule.objects.all()
    form = forms.AutoApprovalRuleForm


class WithdrawalPolicyListView(generic.ObjectListView):
    queryset = WithdrawalPolicy.objects.all()
    table = tables.WithdrawalPolicyTable
    title = "Four-eyes thresholds"
    add_url = "cashier:withdrawalpolicy_add"


class WithdrawalPolicyEditView(generic.ObjectEditView):
    queryset = WithdrawalPolicy.objects.all()
    form = forms.WithdrawalPolicyForm


class AmlThresholdListView(generic.ObjectListView):
    queryset = AmlThreshold.objects.all()
    table = tables.AmlThresholdTable
    title = "AML thresholds"
    add_url = "cashier:amlthreshold_add"


class AmlThresholdEditView(generic.ObjectEditView):
    queryset = AmlThreshold.objects.all()
    form = forms.AmlThresholdForm


class FxRateListView(generic.ObjectListView):
    queryset = FxRate.objects.all()
    table = tables.FxRateTable
    title = "FX rates"
    add_url = "cashier:fxrate_add"


class FxRateEditView(generic.ObjectEditView):
    queryset = FxRate.objects.all()
    form = forms.FxRateForm


class PaymentGatewayView(generic.ObjectDetailView):
    queryset = PaymentGateway.objects.all()
    detail_fields = ["code", "name", "is_simulated", "is_active", "simulation"]
    buttons = [("Edit", "cashier:paymentgateway_edit", "change", "secondary")]
    related_tables = [generic.RelatedTable("methods_table", lambda gw: PaymentMethod.objects.filter(gateway=gw),
                                           tables.PaymentMethodTable)]

    def get_extra_context(self, obj):
        secret = obj.webhook_secret if PaymentGateway.objects.can(self.request.user, "change") else None
        return {"webhook_url": self.request.build_absolute_uri(f"/api/payments/v1/{obj.code}/webhook"),
                "webhook_secret": secret}
