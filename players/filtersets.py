import django_filters

from backoffice.filtersets import BaseFilterSet
from players.choices import AgentLevel, KycStatus, PlayerStatus
from players.models import Agent, Player


class PlayerFilterSet(BaseFilterSet):
    search_fields = ("username__iexact", "email__iexact", "last_name__iexact")
    status = django_filters.ChoiceFilter(choices=PlayerStatus.choices)
    kyc_status = django_filters.ChoiceFilter(choices=KycStatus.choices, label="KYC")
    agent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all())

    class Meta:
        model = Player
        fields = ["q", "status", "kyc_status", "country", "currency", "agent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            return queryset.filter(pk=int(value))
        return super().search(queryset, name, value)


class AgentFilterSet(BaseFilterSet):
    search_fields = ("code__iexact", "name__icontains")
    level = django_filters.ChoiceFilter(choices=AgentLevel.choices)
    parent = django_filters.ModelChoiceFilter(queryset=Agent.objects.all())

    class Meta:
        model = Agent
        fields = ["q", "level", "parent", "currency", "is_active"]
