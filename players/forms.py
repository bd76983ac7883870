from django import forms

from players.choices import AgentFlag
from players.models import Agent


class AgentForm(forms.ModelForm):
    """Reference fields of an agent node. Limits and flags change through their own services."""

    class Meta:
        model = Agent
        fields = ["name", "is_active"]


class AgentFlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(choices=AgentFlag.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput)
