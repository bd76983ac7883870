"""Filter sets of the cashier app (also used by the CSV/XLSX export)."""

import django_filters
from django import forms
from django.db.models import Q

from backoffice.filtersets import BaseFilterSet
from backoffice.money import CURRENCY_CHOICES
from backoffice.querysets import agent_for_user
from cashier.choices import (
    PLAYER_KINDS,
    AccountKind,
    AdjustmentStatus,
    CaseStatus,
    DepositStatus,
    FlagKind,
    WithdrawalStatus,
)
from cashier.models import Adjustment, AmlCase, AttentionItem, Deposit, Entry, LedgerTransaction, Withdrawal


def _date(label):
    return forms.DateInput(attrs={"type": "date"})


class EntryFilterSet(BaseFilterSet):
    search_fields = ("transaction__reference", "transaction__idempotency_key")
    player = django_filters.NumberFilter(field_name="account__player_id", label="Player id",
                                         widget=forms.HiddenInput)
    account = django_filters.NumberFilter(field_name="account_id", label="Account id", widget=forms.HiddenInput)
    kind = django_filters.CharFilter(field_name="transaction__kind", lookup_expr="startswith", label="Type")
    account_kind = django_filters.ChoiceFilter(field_name="account__kind", choices=AccountKind.choices,
                                               label="Account")
    currency = django_filters.ChoiceFilter(choices=CURRENCY_CHOICES)
    direction = django_filters.ChoiceFilter(method="filter_direction", label="Direction",
                                            choices=[("in", "Credits"), ("out", "Debits")])
    min_amount = django_filters.NumberFilter(method="filter_min_amount", label="Min amount")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From",
                                              widget=_date("From"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To",
                                               widget=_date("To"))

    class Meta:
        model = Entry
        fields = ["q", "player", "account", "kind", "account_kind", "currency", "direction", "min_amount",
                  "created_after", "created_before"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and agent_for_user(request.user) is not None:
            # Agents have no system accounts in scope: not even their names in the filter.
            self.form.fields["account_kind"].choices = [("", "Any"), *((k.value, k.label) for k in PLAYER_KINDS)]

    def filter_direction(self, queryset, name, value):
        return queryset.filter(amount__gt=0) if value == "in" else queryset.filter(amount__lt=0)

    def filter_min_amount(self, queryset, name, value):
        return queryset.filter(Q(amount__gte=value) | Q(amount__lte=-value))


class LedgerTransactionFilterSet(BaseFilterSet):
    search_fields = ("reference", "idempotency_key")
    kind = django_filters.CharFilter(lookup_expr="startswith", label="Type")
    integration = django_filters.CharFilter(label="Integration")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From",
                                              widget=_date("From"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To",
                                               widget=_date("To"))

    class Meta:
        model = LedgerTransaction
        fields = ["q", "kind", "integration", "created_after", "created_before"]


class DepositFilterSet(BaseFilterSet):
    search_fields = ("reference", "gateway_reference", "player__username__iexact")
    status = django_filters.ChoiceFilter(choices=DepositStatus.choices)
    player = django_filters.NumberFilter(field_name="player_id", widget=forms.HiddenInput)
    is_ftd = django_filters.BooleanFilter(label="First-time deposit")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From",
                                              widget=_date("From"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To",
                                               widget=_date("To"))

    class Meta:
        model = Deposit
        fields = ["q", "status", "player", "is_ftd", "currency", "gateway", "created_after", "created_before"]


class WithdrawalFilterSet(BaseFilterSet):
    search_fields = ("reference", "payout_reference", "player__username__iexact")
    status = django_filters.ChoiceFilter(choices=WithdrawalStatus.choices)
    player = django_filters.NumberFilter(field_name="player_id", widget=forms.HiddenInput)
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From",
                                              widget=_date("From"))

    class Meta:
        model = Withdrawal
        fields = ["q", "status", "player", "currency", "needs_second_approval", "created_after"]


class AdjustmentFilterSet(BaseFilterSet):
    search_fields = ("player__username__iexact", "reason")
    status = django_filters.ChoiceFilter(choices=AdjustmentStatus.choices)
    player = django_filters.NumberFilter(field_name="player_id", widget=forms.HiddenInput)

    class Meta:
        model = Adjustment
        fields = ["q", "status", "player", "currency", "reason_code"]


class AttentionItemFilterSet(BaseFilterSet):
    search_fields = ("deposit__reference", "withdrawal__reference", "withdrawal__payout_reference")
    state = django_filters.ChoiceFilter(choices=[("open", "Open"), ("resolved", "Resolved")], method="filter_state",
                                        label="State")
    kind = django_filters.ChoiceFilter(choices=[("payout", "Payouts"), ("deposit", "Deposits")],
                                       method="filter_kind", label="Kind")

    class Meta:
        model = AttentionItem
        fields = ["q", "state", "kind"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == "open")

    def filter_kind(self, queryset, name, value):
        return queryset.filter(**{"withdrawal__isnull" if value == "payout" else "deposit__isnull": False})


class AmlCaseFilterSet(BaseFilterSet):
    search_fields = ("player__username__iexact",)
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    kind = django_filters.ChoiceFilter(field_name="flags__kind", choices=FlagKind.choices, label="Flag",
                                       distinct=True)

    class Meta:
        model = AmlCase
        fields = ["q", "status", "kind", "assignee"]
