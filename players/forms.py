from django import forms
from django.contrib.auth import get_user_model

from backoffice.exceptions import ApplicationError
from backoffice.filtersets import SelectorChoiceField
from backoffice.money import CURRENCY_CHOICES
from backoffice.querysets import agent_for_user
from players.choices import (
    AgentFlag,
    ExclusionKind,
    KycStatus,
    LimitKind,
    LimitPeriod,
    LimitSource,
    NoteChannel,
    PlayerStatus,
    SegmentKind,
)
from players.models import Agent, Segment
from players.rg_profiles import EXCLUSION_CHOICES, TIMEOUT_CHOICES
from players.selectors import follow_up_assignee_choices
from players.services.rg import rg_exclusion_confirmation
from players.visibility import Visibility

DATE = forms.DateInput(attrs={"type": "date"})


class AgentForm(forms.ModelForm):
    """Reference fields of an agent node. Limits and flags change through their own services."""

    class Meta:
        model = Agent
        fields = ["name", "is_active"]


class AgentFlagsForm(forms.Form):
    flags = forms.MultipleChoiceField(choices=AgentFlag.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(max_length=500, required=False, widget=forms.TextInput)


class AgentMoveForm(forms.Form):
    parent = forms.ModelChoiceField(queryset=Agent.objects.all(), required=False, empty_label="(top level)",
                                    help_text="The new parent node.")
    reason = forms.CharField(max_length=500)


class AgentLimitsForm(forms.Form):
    credit_limit = forms.DecimalField(min_value=0, max_digits=20, decimal_places=4)
    max_wager = forms.DecimalField(min_value=0, max_digits=20, decimal_places=4)
    reason = forms.CharField(max_length=500, required=False)


class _ProfileFields(forms.Form):
    email = forms.EmailField(required=False)
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    date_of_birth = forms.DateField(required=False, widget=DATE)
    country = forms.CharField(max_length=2, min_length=2, help_text="ISO code, e.g. MT, GB, DE.")
    vip_level = forms.IntegerField(min_value=0, max_value=10, initial=0)
    registration_source = forms.CharField(max_length=64, required=False)
    is_test = forms.BooleanField(required=False, label="Test account", help_text="Excluded from reports.")

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        if not value.isalpha():
            raise forms.ValidationError("Two letters, e.g. MT.")
        return value


class PlayerCreateForm(_ProfileFields):
    username = forms.CharField(max_length=64)
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="EUR")
    agent = forms.ModelChoiceField(queryset=Agent.objects.all(), required=False, empty_label="(no agent)")
    credit_limit = forms.DecimalField(min_value=0, max_digits=20, decimal_places=4, required=False)
    max_wager = forms.DecimalField(min_value=0, max_digits=20, decimal_places=4, required=False)

    field_order = ["username", "email", "first_name", "last_name", "date_of_birth", "country", "currency", "agent",
                   "vip_level", "registration_source", "credit_limit", "max_wager", "is_test"]

    def restrict_to_user(self, user) -> None:
        """An agent adds players to its own sub-tree only (the dropdown is already restricted to it): its
        own node is the default, "no agent" is no choice, and the currency defaults to the node's."""
        agent = agent_for_user(user)
        if agent is None:
            return
        field = self.fields["agent"]
        field.required, field.empty_label = True, None
        field.initial = agent.pk
        self.fields["currency"].initial = agent.currency


class PlayerEditForm(_ProfileFields):
    reason = forms.CharField(max_length=500, required=False)


class PlayerStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlayerStatus.choices)
    reason = forms.CharField(max_length=500)


class PlayerKycForm(forms.Form):
    status = forms.ChoiceField(choices=KycStatus.choices, label="New KYC status")
    reason = forms.CharField(max_length=500, required=False)


class RgLimitForm(forms.Form):
    kind = forms.ChoiceField(choices=LimitKind.choices)
    period = forms.ChoiceField(choices=LimitPeriod.choices)
    amount = forms.DecimalField(min_value=0, max_digits=20, decimal_places=4, required=False,
                                help_text="Empty removes the limit (a removal waits like an increase).")
    # Staff impose a limit unless they record it as the player's request (players.services.rg.rg_limit_source).
    source = forms.TypedChoiceField(choices=[(LimitSource.OPERATOR, "Operator-imposed"),
                                             (LimitSource.PLAYER, "Player's request (self-imposed)")],
                                    initial=LimitSource.OPERATOR, required=False, empty_value=LimitSource.OPERATOR,
                                    label="Imposed by",
                                    help_text="A player's own limit can be loosened at the player's request after "
                                              "the cooling-off; an operator limit only by staff.")
    reason = forms.CharField(max_length=500, required=False)


class RgLimitConfirmForm(forms.Form):
    limit = forms.TypedChoiceField(coerce=int, label="Pending increase")

    def __init__(self, *args, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["limit"].choices = [(r.pk, f"{r} → {'no limit' if r.pending_remove else r.pending_amount}")
                                        for r in pending]


class RgExclusionForm(forms.Form):
    kind = forms.ChoiceField(choices=ExclusionKind.choices)
    duration = forms.ChoiceField(choices=[(k, label) for k, label, _ in TIMEOUT_CHOICES + EXCLUSION_CHOICES],
                                 help_text="Time-outs: 24 hours to 6 weeks. Self-exclusion: 6 months to 5 years, "
                                           "or indefinite. Neither can be lifted early.")
    reason = forms.CharField(max_length=500, help_text="Why, and at whose request (kept in the audit log).")

    def __init__(self, *args, player=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.player = player

    def clean(self):
        data = super().clean()
        if "duration" in data:
            data["timedelta"] = {k: d for k, _, d in TIMEOUT_CHOICES + EXCLUSION_CHOICES}[data["duration"]]
            data["duration_label"] = {k: label for k, label, _ in TIMEOUT_CHOICES + EXCLUSION_CHOICES}[data["duration"]]
            if self.player is not None and "kind" in data:
                try:  # a period the market does not allow is refused before the confirmation step
                    rg_exclusion_confirmation(player=self.player, kind=data["kind"], duration=data["timedelta"])
                except ApplicationError as exc:
                    self.add_error(None, exc.message)
        return data


class RealityCheckForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=1440, required=False,
                                 help_text="Empty: the market profile's default.")
    reason = forms.CharField(max_length=500, required=False)


class PlayerCreditForm(forms.Form):
    credit_limit = forms.DecimalField(min_value=0, max_digits=20, decimal_places=4, required=False)
    max_wager = forms.DecimalField(min_value=0, max_digits=20, decimal_places=4, required=False)
    reason = forms.CharField(max_length=500, required=False)


class PlayerMoveForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=Agent.objects.all(), required=False, empty_label="(no agent)")
    reason = forms.CharField(max_length=500)


class PlayerTagsForm(forms.Form):
    segments = forms.ModelMultipleChoiceField(queryset=Segment.objects.filter(kind=SegmentKind.STATIC),
                                              required=False, widget=forms.CheckboxSelectMultiple, label="Tags")


class NoteForm(forms.Form):
    channel = forms.ChoiceField(choices=NoteChannel.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    follow_up_on = forms.DateField(required=False, widget=DATE)
    assignee = SelectorChoiceField(selector=follow_up_assignee_choices, queryset=get_user_model().objects.none(),
                                   required=False, help_text="Staff who may close the follow-up.")
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.ALL,
                                   help_text="Staff-only notes are never shown to agents.")


class NoteDoneForm(forms.Form):
    pass


class SegmentForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["name", "kind", "description", "countries", "vip_min", "vip_max", "lifetime_deposits_min",
                  "active_within_days", "inactive_for_days", "registered_from", "registered_to"]
        widgets = {"registered_from": DATE, "registered_to": DATE}

    def clean_countries(self):
        codes = [c.strip().upper() for c in self.cleaned_data["countries"].split(",") if c.strip()]
        if any(len(c) != 2 or not c.isalpha() for c in codes):
            raise forms.ValidationError("Comma-separated two-letter codes, e.g. GB,IE.")
        return ",".join(codes)

    def clean(self):
        data = super().clean()
        if data.get("vip_min") is not None and data.get("vip_max") is not None and data["vip_min"] > data["vip_max"]:
            self.add_error("vip_max", "Must be at least the lower bound.")
        return data
