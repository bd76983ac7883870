"""Forms of the project package (each feeds a service; none saves a model itself)."""

import math

from django import forms
from django.core.exceptions import ValidationError

from backoffice.roles import ROLES

ROLE_CHOICES = [(name, name) for name in ROLES]


class OperatorCreateForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{3,150}$", max_length=150,
                                error_messages={"invalid": "3 to 150 letters, digits and @/./+/-/_ only."})
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    reason = forms.CharField(max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, help_text="Recorded in the audit log.")


def _finite(value) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


class FiniteJSONField(forms.JSONField):
    """JSON whose numbers are finite. Python's parser takes NaN, Infinity and 1e309 (an infinite float);
    PostgreSQL's jsonb refuses them, so without this check they reach the database as a 500."""

    default_error_messages = {"non_finite": "Numbers must be finite: no NaN, no Infinity, nothing that large."}

    def to_python(self, value):
        value = super().to_python(value)
        if not _finite(value):
            raise ValidationError(self.error_messages["non_finite"], code="non_finite")
        return value
