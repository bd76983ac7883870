"""Forms of the project package (each feeds a service; none saves a model itself)."""

from django import forms

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
