"""Forms of the cashier app."""

from django import forms
from django.contrib.auth import get_user_model

from backoffice.forms import FiniteJSONField
from backoffice.money import has_valid_precision
from cashier.choices import AdjustmentReason, AttentionOutcome
from cashier.models import (
    AdjustmentPolicy,
    AmlThreshold,
    AutoApprovalRule,
    FxRate,
    PaymentGateway,
    PaymentMethod,
    WithdrawalPolicy,
)
from cashier.simulator import simulation_validate
from players.models import Player


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(max_digits=16, decimal_places=4,
                                help_text="Positive credits the cash wallet, negative debits it (never below zero).")
    reason_code = forms.ChoiceField(choices=AdjustmentReason.choices, label="Reason code")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = f"Amount ({currency})"

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if not amount.is_finite() or amount == 0:
            raise forms.ValidationError("Enter a non-zero amount.")
        if not has_valid_precision(amount, self.currency):
            raise forms.ValidationError(f"Too many decimals for {self.currency}.")
        return amount

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason


class AdjustmentRejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=300)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason


class AdjustmentApproveForm(forms.Form):
    confirm = forms.BooleanField(label="I have checked this adjustment and its reason")


class AdjustmentPolicyForm(forms.ModelForm):
    class Meta:
        model = AdjustmentPolicy
        fields = ["currency", "ceiling", "four_eyes_above"]

    def clean(self):
        cleaned = super().clean()
        ceiling, four_eyes = cleaned.get("ceiling"), cleaned.get("four_eyes_above")
        if ceiling is not None and ceiling <= 0:
            self.add_error("ceiling", "The ceiling must be above zero.")
        if four_eyes is not None and four_eyes < 0:
            self.add_error("four_eyes_above", "The threshold must not be negative.")
        elif ceiling is not None and four_eyes is not None and four_eyes > ceiling:
            self.add_error("four_eyes_above", "The four-eyes threshold must not be above the ceiling.")
        return cleaned


class LiabilityForm(forms.Form):
    at = forms.DateField(required=False, label="At the end of", widget=forms.DateInput(attrs={"type": "date"}))
    include_test = forms.BooleanField(required=False, label="Include test accounts")


# --- payments ------------------------------------------------------------------------------------

class _PlayerMoneyForm(forms.Form):
    player = forms.ModelChoiceField(queryset=None, widget=forms.NumberInput, help_text="Player id.")
    method = forms.ModelChoiceField(queryset=None)
    amount = forms.DecimalField(max_digits=16, decimal_places=4, min_value=0)

    def __init__(self, *args, player_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["player"].queryset = Player.objects.all()
        self.fields["method"].queryset = PaymentMethod.objects.filter(is_active=True).select_related("gateway")
        if player_id:
            self.fields["player"].initial = player_id


class DepositForm(_PlayerMoneyForm):
    pass


class WithdrawalForm(_PlayerMoneyForm):
    pass


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(label="I have reviewed this withdrawal")


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=300,
                             help_text="Operator staff only: agents see that it was rejected, never why.")


class AttentionRequeryForm(forms.Form):
    """Nothing to fill in: the gateway is asked at once (the hidden field makes the POST a bound form)."""

    requery = forms.CharField(widget=forms.HiddenInput, initial="now")


class AttentionResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=AttentionOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=300,
                             help_text="What the gateway or the bank confirmed, and how (ticket, statement, call).")

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason


class CaseAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = self.assignees()

    @staticmethod
    def assignees():
        """Active Risk & Compliance and Administrator logins: who may work a case."""

        return get_user_model().objects.filter(
            is_active=True, groups__name__in=["Risk & Compliance", "Administrator"]).distinct().order_by("username")


class CaseNoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class CaseResolveForm(forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class PaymentGatewayForm(forms.ModelForm):
    class Meta:
        model = PaymentGateway
        fields = ["code", "name", "is_active", "is_simulated", "simulation"]
        field_classes = {"simulation": FiniteJSONField}

    def clean_simulation(self):
        value = self.cleaned_data["simulation"]
        if value is None:  # an empty box: no simulator settings (the column is NOT NULL)
            return {}
        simulation_validate(value)
        return value


class PaymentMethodForm(forms.ModelForm):
    class Meta:
        model = PaymentMethod
        fields = ["gateway", "code", "name", "currency", "countries", "min_amount", "max_amount", "supports_payouts",
                  "is_active"]


class AutoApprovalRuleForm(forms.ModelForm):
    class Meta:
        model = AutoApprovalRule
        fields = ["name", "currency", "min_vip_level", "max_amount", "require_kyc_verified", "min_account_age_days",
                  "is_active"]


class WithdrawalPolicyForm(forms.ModelForm):
    class Meta:
        model = WithdrawalPolicy
        fields = ["currency", "four_eyes_above"]


class AmlThresholdForm(forms.ModelForm):
    class Meta:
        model = AmlThreshold
        fields = ["currency", "large_transaction", "velocity_count", "velocity_minutes", "max_methods",
                  "min_play_ratio"]


class FxRateForm(forms.ModelForm):
    class Meta:
        model = FxRate
        fields = ["currency", "rate", "valid_from"]
        widgets = {"valid_from": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class FxImportForm(forms.Form):
    file = forms.FileField(help_text="CSV with columns currency,rate,valid_from (ISO date or date-time), UTF-8.")


class ReconcileForm(forms.Form):
    gateway = forms.ModelChoiceField(queryset=None)
    file = forms.FileField(help_text="Settlement CSV: reference,amount,currency (UTF-8).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gateway"].queryset = PaymentGateway.objects.all()
