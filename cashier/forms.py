"""Forms of the cashier app."""

from django import forms

from backoffice.money import has_valid_precision
from cashier.choices import AdjustmentReason


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


class LiabilityForm(forms.Form):
    at = forms.DateField(required=False, label="At the end of", widget=forms.DateInput(attrs={"type": "date"}))
    include_test = forms.BooleanField(required=False, label="Include test accounts")
