import django_filters
from django import forms

from backoffice.filtersets import BaseFilterSet
from games.choices import GameType, ProviderKind, RoundStatus, Volatility
from games.models import Game, Jurisdiction, LobbyCategory, Provider, Round

ACTIVE = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class ProviderFilterSet(BaseFilterSet):
    search_fields = ("code__iexact", "name__icontains")
    kind = django_filters.ChoiceFilter(choices=ProviderKind.choices, empty_label="Any")
    is_active = django_filters.BooleanFilter(widget=ACTIVE, label="Active")

    class Meta:
        model = Provider
        fields = ["q", "kind", "is_active"]


class GameFilterSet(BaseFilterSet):
    search_fields = ("title__icontains", "external_id__iexact")
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())
    game_type = django_filters.ChoiceFilter(choices=GameType.choices, label="Type", empty_label="Any")
    category = django_filters.ModelChoiceFilter(queryset=LobbyCategory.objects.all())
    volatility = django_filters.ChoiceFilter(choices=Volatility.choices, empty_label="Any")
    is_active = django_filters.BooleanFilter(widget=ACTIVE, label="Active")
    jurisdiction = django_filters.ModelChoiceFilter(queryset=Jurisdiction.objects.all(), field_name="jurisdictions",
                                                    label="Approved in")

    class Meta:
        model = Game
        fields = ["q", "provider", "game_type", "category", "volatility", "jurisdiction", "is_active"]


class JurisdictionFilterSet(BaseFilterSet):
    search_fields = ("code__iexact", "name__icontains")

    class Meta:
        model = Jurisdiction
        fields = ["q"]


class LobbyCategoryFilterSet(BaseFilterSet):
    search_fields = ("slug__iexact", "name__icontains")
    is_active = django_filters.BooleanFilter(widget=ACTIVE, label="Active")

    class Meta:
        model = LobbyCategory
        fields = ["q", "is_active"]


class RoundFilterSet(BaseFilterSet):
    search_fields = ("round_ref",)
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices, empty_label="Any")
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all())
    game = django_filters.ModelChoiceFilter(queryset=Game.objects.all())
    player = django_filters.NumberFilter(field_name="player_id", label="Player id")
    opened_after = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__gte", label="From",
                                             widget=forms.DateInput(attrs={"type": "date"}))
    opened_before = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__lte", label="To",
                                              widget=forms.DateInput(attrs={"type": "date"}))
    with_bonus = django_filters.BooleanFilter(method="filter_bonus", label="Bonus money", widget=ACTIVE)

    class Meta:
        model = Round
        fields = ["q", "status", "provider", "game", "player", "currency", "opened_after", "opened_before"]

    def filter_bonus(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(bet_bonus__gt=0) if value else queryset.filter(bet_bonus=0)
