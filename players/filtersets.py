from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from backoffice.filtersets import BaseFilterSet
from backoffice.money import CURRENCY_CHOICES
from players.choices import AgentLevel, KycStatus, NoteChannel, PlayerStatus, SegmentKind
from players.models import Agent, Note, Player, Segment, TimelineEvent
from players.search import player_search

DATE = forms.DateInput(attrs={"type": "date"})


def _day_start(value):
    return timezone.make_aware(datetime.combine(value, time.min))


class PlayerFilterSet(BaseFilterSet):
    status = django_filters.ChoiceFilter(choices=PlayerStatus.choices)
    kyc_status = django_filters.ChoiceFilter(choices=KycStatus.choices, label="KYC")
    country = django_filters.CharFilter(method="filter_country", label="Country")
    currency = django_filters.ChoiceFilter(choices=CURRENCY_CHOICES)
    vip_level = django_filters.NumberFilter(label="VIP")
    agent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all())
    segment = django_filters.ModelChoiceFilter(queryset=Segment.objects.all(), method="filter_segment", label="Segment")
    registered_from = django_filters.DateFilter(method="filter_registered_from", label="Registered from", widget=DATE)
    registered_to = django_filters.DateFilter(method="filter_registered_to", label="to", widget=DATE)
    is_test = django_filters.BooleanFilter(label="Test account")

    class Meta:
        model = Player
        fields = ["q", "status", "kyc_status", "country", "currency", "vip_level", "agent", "segment",
                  "registered_from", "registered_to", "is_test"]

    def search(self, queryset, name, value):
        """Partial usernames, names and e-mails, and ids, through one trigram index (players/search.py)."""
        return player_search(queryset, value)

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper()) if value.strip() else queryset

    def filter_segment(self, queryset, name, value):
        return value.players(queryset) if value else queryset

    def filter_registered_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_registered_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))


class AgentFilterSet(BaseFilterSet):
    search_fields = ("code__iexact", "name__icontains")
    level = django_filters.ChoiceFilter(choices=AgentLevel.choices)
    parent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all())

    class Meta:
        model = Agent
        fields = ["q", "level", "parent", "currency", "is_active"]


class FollowUpFilterSet(BaseFilterSet):
    channel = django_filters.ChoiceFilter(choices=NoteChannel.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label="Assigned to me",
                                        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]))
    due_by = django_filters.DateFilter(field_name="follow_up_on", lookup_expr="lte", label="Due by", widget=DATE)

    class Meta:
        model = Note
        fields = ["channel", "mine", "due_by"]

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        me = Q(assignee=self.request.user)
        return queryset.filter(me) if value else queryset.exclude(me)


class SegmentFilterSet(BaseFilterSet):
    search_fields = ("name__icontains",)
    kind = django_filters.ChoiceFilter(choices=SegmentKind.choices)

    class Meta:
        model = Segment
        fields = ["q", "kind"]


MODULE_CHOICES = [("players", "Players"), ("cashier", "Cashier"), ("games", "Games"), ("bonuses", "Bonuses"),
                  ("sportsbook", "Sportsbook")]


class TimelineFilterForm(forms.Form):
    """Filters of the timeline tab (applied by the view with keyset pagination, not by django-filter)."""

    module = forms.ChoiceField(choices=[("", "All modules"), *MODULE_CHOICES], required=False)
    kind = forms.CharField(required=False, max_length=64, label="Kind starts with",
                           widget=forms.TextInput(attrs={"placeholder": "e.g. cashier.deposit"}))
    date_from = forms.DateField(required=False, widget=DATE, label="From")
    date_to = forms.DateField(required=False, widget=DATE, label="To")

    def apply(self, queryset):
        data = self.cleaned_data
        kind = data.get("kind", "").strip()
        module = data.get("module") or (kind.split(".", 1)[0] if kind else "")
        if module:
            queryset = queryset.filter(module=module)  # the (player, module, occurred_at, id) index
        if kind and "." in kind:
            queryset = queryset.filter(kind__startswith=kind)
        if data.get("date_from"):
            queryset = queryset.filter(occurred_at__gte=_day_start(data["date_from"]))
        if data.get("date_to"):
            queryset = queryset.filter(occurred_at__lt=_day_start(data["date_to"] + timedelta(days=1)))
        return queryset


__all__ = ["AgentFilterSet", "FollowUpFilterSet", "PlayerFilterSet", "SegmentFilterSet", "TimelineEvent",
           "TimelineFilterForm"]
