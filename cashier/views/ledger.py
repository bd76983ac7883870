"""Wallets, ledger lists and drill-down, liability, adjustments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from backoffice.htmx import vary_on_htmx, wants_partial
from backoffice.views import generic
from cashier import filtersets, forms, selectors, services, tables
from cashier.choices import AdjustmentStatus
from cashier.models import (
    Account,
    Adjustment,
    Deposit,
    Entry,
    LedgerTransaction,
    Withdrawal,
)
from players.models import Player


class PlayerWalletsView(generic.ObjectDetailView):
    """A player's balances and latest ledger entries. htmx gets the panel alone (the player page embeds it)."""

    queryset = Player.objects.all()
    template_name = "cashier/player_wallets.html"
    partial_template_name = "cashier/partials/player_wallets.html"

    def get(self, request, *args, **kwargs):
        player = self.get_object()
        accounts_visible = Account.objects.can(request.user, "view")
        context = {
            "object": player, "player": player, "title": f"Wallets · {player}", "model": self.model,
            "opts": self.model._meta, "accounts_visible": accounts_visible,
            "balances": services.player_balances(player=player) if accounts_visible else None,
            "accounts": Account.objects.restrict(request.user).filter(player=player) if accounts_visible else [],
            "entries": selectors.player_entries(user=request.user, player=player, limit=10),
            # who posted each entry: a login, named only where logins may be (never to agents)
            "show_handled_by": get_user_model().objects.can_name(request.user),
            "can_adjust": Account.objects.can(request.user, "adjust"),
            "can_deposit": Deposit.objects.can(request.user, "add"),
            "can_withdraw": Withdrawal.objects.can(request.user, "add"),
            # the adjust button links only to an account this user may adjust
            "cash_account": Account.objects.restrict(request.user, "adjust").filter(player=player,
                                                                            kind="player_cash").first(),
            # adjustments above the four-eyes threshold, waiting for a second person (operator staff only)
            "pending_adjustments": Adjustment.objects.restrict(request.user).filter(
                player=player, status=AdjustmentStatus.PENDING).select_related("requested_by"),
        }
        template = self.partial_template_name if wants_partial(request) else self.template_name
        return vary_on_htmx(TemplateResponse(request, template, context))


class EntryListView(generic.ObjectListView):
    queryset = Entry.objects.select_related("transaction", "account", "account__player", "transaction__actor")
    filterset = filtersets.EntryFilterSet
    table = tables.EntryTable
    title = "Ledger entries"


class LedgerTransactionListView(generic.ObjectListView):
    queryset = LedgerTransaction.objects.select_related("actor")
    filterset = filtersets.LedgerTransactionFilterSet
    table = tables.LedgerTransactionTable
    title = "Ledger transactions"


class LedgerTransactionView(generic.ObjectDetailView):
    queryset = LedgerTransaction.objects.select_related("actor", "reverses")
    detail_fields = ["idempotency_key", "kind", "created_at", "reference", "actor", "integration", "reverses"]
    # An agent sees the legs of its players only, never the house or clearing side.
    related_tables = [generic.RelatedTable(
        "entries_table", lambda tx: Entry.objects.filter(transaction=tx).select_related("account", "account__player")
        .order_by("id"), tables.TransactionEntryTable)]

    def get_extra_context(self, obj):
        # Every transaction sums to zero per currency; legs that do not are one side of it: the others are on
        # accounts outside the viewer's scope (an agent never sees the house side). Say so on the page.
        legs = self.child_rows(Entry.objects.filter(transaction=obj))
        partial = legs is not None and legs.values("currency").annotate(total=Sum("amount")).exclude(total=0).exists()
        return {"metadata": selectors.ledger_transaction_metadata(user=self.request.user, transaction=obj),
                "legs_partial": partial}


class LiabilityView(generic.ObjectPermissionMixin, View):
    """Operator liability (GLI-19 2.9.3): player balances per currency, now or at the end of a past day."""

    queryset = Account.objects.all()
    template_name = "cashier/liability.html"

    def get(self, request, *args, **kwargs):
        form = forms.LiabilityForm(request.GET or None)
        at = None
        include_test = False
        if form.is_valid():
            include_test = form.cleaned_data["include_test"]
            day = form.cleaned_data["at"]
            if day is not None:
                at = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
        rows = selectors.liability_get(user=request.user, at=at, include_test=include_test)
        return TemplateResponse(request, self.template_name, {
            "title": "Operator liability", "form": form, "rows": rows, "at": at, "generated": timezone.now(),
            "base_currency": settings.BASE_CURRENCY,
            "base_total": None if any(r["base"] is None for r in rows) else sum(r["base"] for r in rows),
            "opts": Account._meta})
