"""Deposits and withdrawals: lists, pages, creation, approval and rejection."""

from __future__ import annotations

from backoffice.money import format_money
from backoffice.querysets import is_operator_staff
from backoffice.views import generic
from cashier import filtersets, forms, selectors, services, tables
from cashier.models import (
    AmlFlag,
    Deposit,
    Withdrawal,
)


class DepositListView(generic.ObjectListView):
    queryset = Deposit.objects.select_related("player", "method")
    filterset = filtersets.DepositFilterSet
    table = tables.DepositTable
    add_url = "cashier:deposit_add"


class DepositView(generic.ObjectDetailView):
    queryset = Deposit.objects.select_related("player", "method", "gateway", "ledger_transaction")
    detail_fields = ["reference", "player", "method", "amount", "status", "is_ftd", "gateway_reference",
                     "failure_reason", "ledger_transaction", "created_at", "confirmed_at", "idempotency_key",
                     "answer_due_at", "status_queries", "last_query_result"]


class DepositCreateView(generic.ActionView):
    """Staff open a deposit for a player (the player-facing site calls the same service)."""

    queryset = Deposit.objects.all()
    action = "add"
    form = forms.DepositForm
    title = "New deposit"
    submit_label = "Start deposit"
    success_message = "Deposit started; the gateway confirms it through its webhook."
    cancel_url = "cashier:deposit_list"

    def get_form_kwargs(self, obj):
        return {"player_id": self.request.GET.get("player")}

    def perform(self, obj, form):
        return services.deposit_initiate(player=form.cleaned_data["player"], method=form.cleaned_data["method"],
                                         amount=form.cleaned_data["amount"], actor=self.request.user)


class WithdrawalListView(generic.ObjectListView):
    queryset = Withdrawal.objects.select_related("player", "method")
    filterset = filtersets.WithdrawalFilterSet
    table = tables.WithdrawalTable
    add_url = "cashier:withdrawal_add"
    title = "Withdrawals"


class WithdrawalView(generic.ObjectDetailView):
    queryset = Withdrawal.objects.select_related("player", "method", "gateway", "first_approved_by", "approved_by",
                                                 "rejected_by", "reserve_transaction", "settle_transaction")
    detail_fields = ["reference", "player", "method", "amount", "status", "auto_approved", "hold_reasons",
                     "needs_second_approval", "first_approved_by", "approved_by", "rejected_by", "rejection_reason",
                     "payout_reference", "reserve_transaction", "settle_transaction", "created_at", "paid_at"]
    # Why it was held or rejected and the four-eyes steps are operator staff's: a reason staff typed may
    # name an AML review (tipping off), and the others reveal settings agents may not view. Agents read the
    # status; staff who want an agent to know why write a note the agent can read.
    staff_only_fields = frozenset({"hold_reasons", "needs_second_approval", "first_approved_by",
                                   "rejection_reason"})
    buttons = [("Approve", "cashier:withdrawal_approve", "approve", "primary"),
               ("Reject", "cashier:withdrawal_reject", "approve", "danger")]

    def object_actions(self, obj):
        return super().object_actions(obj) if obj.status == "requested" else []

    related_tables = [generic.RelatedTable(
        "flags_table", lambda w: AmlFlag.objects.filter(player_id=w.player_id).exclude(case__status="resolved")
        .select_related("deposit", "withdrawal"), tables.AmlFlagTable)]

    def get_fields(self, obj):
        # The hold reasons the user may see (operator staff's only), from the selector.
        obj.hold_reasons = selectors.withdrawal_hold_reasons(user=self.request.user, withdrawal=obj)
        return [(label, " ".join(value) if isinstance(value, list) else value)
                for label, value in super().get_fields(obj)]


class WithdrawalCreateView(generic.ActionView):
    queryset = Withdrawal.objects.all()
    action = "add"
    form = forms.WithdrawalForm
    title = "New withdrawal"
    submit_label = "Request withdrawal"
    success_message = "Withdrawal requested; the funds are reserved."
    cancel_url = "cashier:withdrawal_list"

    def get_form_kwargs(self, obj):
        return {"player_id": self.request.GET.get("player")}

    def perform(self, obj, form):
        return services.withdrawal_request(player=form.cleaned_data["player"], method=form.cleaned_data["method"],
                                           amount=form.cleaned_data["amount"], actor=self.request.user)


class WithdrawalApproveView(generic.ActionView):
    """Shows what is approved (amount, player, method, the four-eyes step) and why it was held: operator
    staff only (approving is an operator permission; the hold reasons come through their selector)."""

    queryset = Withdrawal.objects.select_related("player", "method", "first_approved_by")
    action = "approve"
    form = forms.ApproveForm
    template_name = "cashier/action_summary.html"
    submit_label = "Approve"

    def render(self, obj, form):
        self.title = f"Approve withdrawal {obj.reference} ({format_money(obj.amount, obj.currency)})"
        response = super().render(obj, form)
        reasons = selectors.withdrawal_hold_reasons(user=self.request.user, withdrawal=obj)
        # defensive: approving is operator staff's; an AML hold is never named to anyone else
        held_for_aml = is_operator_staff(self.request.user) and services.withdrawal_held_for_aml(obj)
        response.context_data.update({
            "summary": [
                ("Amount", format_money(obj.amount, obj.currency)), ("Player", obj.player), ("Method", obj.method),
                ("Requested at", f"{obj.created_at:%Y-%m-%d %H:%M}"), ("Status", obj.get_status_display()),
                ("Four-eyes", (f"First approval by {obj.first_approved_by}; a second person must approve"
                               if obj.first_approved_by_id else "Two different people must approve")
                 if obj.needs_second_approval else "One approval"),
                ("AML hold", "Held for open AML flags: releasing it needs the Risk & Compliance permission"
                 if held_for_aml else "No")],
            "summary_list_title": "Why it was held for review", "summary_list": reasons or ["No hold reasons."]})
        return response

    def get_success_message(self, result):
        if result.status == "requested":
            return "First approval recorded; a second person must approve (four-eyes)."
        return "Approved; the payout is queued."

    def perform(self, obj, form):
        return services.withdrawal_approve(withdrawal_id=obj.pk, actor=self.request.user)


class WithdrawalRejectView(generic.ActionView):
    queryset = Withdrawal.objects.all()
    action = "approve"
    form = forms.RejectForm
    title = "Reject withdrawal"
    submit_label = "Reject and return the funds"
    success_message = "Rejected; the funds are back in the player's cash wallet."

    def perform(self, obj, form):
        return services.withdrawal_reject(withdrawal_id=obj.pk, actor=self.request.user,
                                          reason=form.cleaned_data["reason"])
