"""Pages of the cashier app: wallets, ledger lists and drill-down, liability, adjustments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from backoffice.export import csv_response, export_audit
from backoffice.filtersets import restrict_form_fields
from backoffice.htmx import vary_on_htmx, wants_partial
from backoffice.views import generic
from cashier import filtersets, forms, selectors, services, tables
from cashier.models import (
    Account,
    AmlCase,
    AmlCaseNote,
    AmlFlag,
    AmlThreshold,
    AutoApprovalRule,
    Deposit,
    Entry,
    FxRate,
    LedgerTransaction,
    PaymentGateway,
    PaymentMethod,
    ReconciliationRun,
    Withdrawal,
    WithdrawalPolicy,
)
from cashier.services.reconciliation import reconciliation_rows
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
            "can_adjust": Account.objects.can(request.user, "adjust"),
            "can_deposit": Deposit.objects.can(request.user, "add"),
            "can_withdraw": Withdrawal.objects.can(request.user, "add"),
            # the adjust button links only to an account this user may adjust
            "cash_account": Account.objects.restrict(request.user, "adjust").filter(player=player,
                                                                            kind="player_cash").first(),
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
        return {"metadata": obj.metadata}


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


class AccountAdjustView(generic.ActionView):
    """A manual adjustment of a player's cash wallet (permission ``cashier.adjust_account``)."""

    queryset = Account.objects.filter(player__isnull=False, kind="player_cash").select_related("player")
    action = "adjust"
    form = forms.AdjustmentForm
    submit_label = "Post adjustment"
    success_message = "Adjustment posted."

    def get_form_kwargs(self, obj):
        return {"currency": obj.currency}

    def render(self, obj, form):
        response = super().render(obj, form)
        response.context_data["title"] = f"Adjust the cash balance of {obj.player} ({obj.balance:.2f} {obj.currency})"
        return response

    def perform(self, obj, form):
        services.balance_adjust(player=obj.player, amount=form.cleaned_data["amount"],
                                reason_code=form.cleaned_data["reason_code"], reason=form.cleaned_data["reason"],
                                actor=self.request.user)
        return obj


# --- deposits and withdrawals -----------------------------------------------------------------------

class DepositListView(generic.ObjectListView):
    queryset = Deposit.objects.select_related("player", "method")
    filterset = filtersets.DepositFilterSet
    table = tables.DepositTable
    add_url = "cashier:deposit_add"


class DepositView(generic.ObjectDetailView):
    queryset = Deposit.objects.select_related("player", "method", "gateway", "ledger_transaction")
    detail_fields = ["reference", "player", "method", "amount", "status", "is_ftd", "gateway_reference",
                     "failure_reason", "ledger_transaction", "created_at", "confirmed_at", "idempotency_key"]


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
    buttons = [("Approve", "cashier:withdrawal_approve", "approve", "primary"),
               ("Reject", "cashier:withdrawal_reject", "approve", "danger")]

    def object_actions(self, obj):
        return super().object_actions(obj) if obj.status == "requested" else []

    related_tables = [generic.RelatedTable(
        "flags_table", lambda w: AmlFlag.objects.filter(player_id=w.player_id).exclude(case__status="resolved")
        .select_related("deposit", "withdrawal"), tables.AmlFlagTable)]

    def get_fields(self, obj):
        # The hold reasons the user may see (AML reasons are operator staff's only), from the selector.
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
    queryset = Withdrawal.objects.all()
    action = "approve"
    form = forms.ApproveForm
    submit_label = "Approve"

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


# --- AML cases --------------------------------------------------------------------------------------

class AmlCaseListView(generic.ObjectListView):
    queryset = AmlCase.objects.select_related("player", "assignee").annotate(flag_count=Count("flags"))
    filterset = filtersets.AmlCaseFilterSet
    table = tables.AmlCaseTable
    title = "AML cases"


class AmlCaseView(generic.ObjectDetailView):
    queryset = AmlCase.objects.select_related("player", "assignee", "resolved_by")
    template_name = "cashier/amlcase.html"
    detail_fields = ["player", "status", "assignee", "created_at", "resolution", "resolved_by", "resolved_at"]
    buttons = [("Assign", "cashier:amlcase_assign", "change", "secondary"),
               ("Add note", "cashier:amlcase_note", "change", "secondary"),
               ("Resolve", "cashier:amlcase_resolve", "change", "primary")]

    def object_actions(self, obj):
        return super().object_actions(obj) if obj.status != "resolved" else []

    related_tables = [generic.RelatedTable(
        "flags_table", lambda case: AmlFlag.objects.filter(case=case).select_related("deposit", "withdrawal"),
        tables.AmlFlagTable)]

    def get_extra_context(self, obj):
        return {"notes": self.child_rows(AmlCaseNote.objects.filter(case=obj).select_related("author"))}


class AmlCaseAssignView(generic.ActionView):
    queryset = AmlCase.objects.all()
    action = "change"
    form = forms.CaseAssignForm
    title = "Assign case"
    submit_label = "Assign"

    def get_form(self, obj):
        form = super().get_form(obj)
        # Deliberately not restrict()ed: choosing an assignee must not need the permission to browse logins.
        form.fields["assignee"].queryset = forms.CaseAssignForm.assignees()
        return form

    def perform(self, obj, form):
        return services.aml_case_assign(case_id=obj.pk, assignee=form.cleaned_data["assignee"], actor=self.request.user)


class AmlCaseNoteView(generic.ActionView):
    queryset = AmlCase.objects.all()
    action = "change"
    form = forms.CaseNoteForm
    title = "Add a note"
    submit_label = "Add note"

    def perform(self, obj, form):
        services.aml_case_note_add(case_id=obj.pk, text=form.cleaned_data["text"], actor=self.request.user)
        return obj


class AmlCaseResolveView(generic.ActionView):
    queryset = AmlCase.objects.all()
    action = "change"
    form = forms.CaseResolveForm
    title = "Resolve case"
    submit_label = "Resolve"
    success_message = "Case resolved; its flags no longer hold withdrawals or deposits."

    def perform(self, obj, form):
        return services.aml_case_resolve(case_id=obj.pk, resolution=form.cleaned_data["resolution"],
                                         actor=self.request.user)


# --- reference data -----------------------------------------------------------------------------------

class PaymentGatewayListView(generic.ObjectListView):
    queryset = PaymentGateway.objects.all()
    table = tables.PaymentGatewayTable
    title = "Payment gateways"
    add_url = "cashier:paymentgateway_add"


class PaymentGatewayEditView(generic.ObjectEditView):
    queryset = PaymentGateway.objects.all()
    form = forms.PaymentGatewayForm


class PaymentMethodListView(generic.ObjectListView):
    queryset = PaymentMethod.objects.all()
    table = tables.PaymentMethodTable
    title = "Payment methods"
    add_url = "cashier:paymentmethod_add"


class PaymentMethodEditView(generic.ObjectEditView):
    queryset = PaymentMethod.objects.all()
    form = forms.PaymentMethodForm


class AutoApprovalRuleListView(generic.ObjectListView):
    queryset = AutoApprovalRule.objects.all()
    table = tables.AutoApprovalRuleTable
    title = "Automatic withdrawal approval rules"
    add_url = "cashier:autoapprovalrule_add"


class AutoApprovalRuleEditView(generic.ObjectEditView):
    queryset = AutoApprovalRule.objects.all()
    form = forms.AutoApprovalRuleForm


class WithdrawalPolicyListView(generic.ObjectListView):
    queryset = WithdrawalPolicy.objects.all()
    table = tables.WithdrawalPolicyTable
    title = "Four-eyes thresholds"
    add_url = "cashier:withdrawalpolicy_add"


class WithdrawalPolicyEditView(generic.ObjectEditView):
    queryset = WithdrawalPolicy.objects.all()
    form = forms.WithdrawalPolicyForm


class AmlThresholdListView(generic.ObjectListView):
    queryset = AmlThreshold.objects.all()
    table = tables.AmlThresholdTable
    title = "AML thresholds"
    add_url = "cashier:amlthreshold_add"


class AmlThresholdEditView(generic.ObjectEditView):
    queryset = AmlThreshold.objects.all()
    form = forms.AmlThresholdForm


class FxRateListView(generic.ObjectListView):
    queryset = FxRate.objects.all()
    table = tables.FxRateTable
    title = "FX rates"
    add_url = "cashier:fxrate_add"


class FxRateEditView(generic.ObjectEditView):
    queryset = FxRate.objects.all()
    form = forms.FxRateForm


class PaymentGatewayView(generic.ObjectDetailView):
    queryset = PaymentGateway.objects.all()
    detail_fields = ["code", "name", "is_simulated", "is_active", "simulation"]
    buttons = [("Edit", "cashier:paymentgateway_edit", "change", "secondary")]
    related_tables = [generic.RelatedTable("methods_table", lambda gw: PaymentMethod.objects.filter(gateway=gw),
                                           tables.PaymentMethodTable)]

    def get_extra_context(self, obj):
        secret = obj.webhook_secret if PaymentGateway.objects.can(self.request.user, "change") else None
        return {"webhook_url": self.request.build_absolute_uri(f"/api/payments/v1/{obj.code}/webhook"),
                "webhook_secret": secret}


# --- FX import and reconciliation ----------------------------------------------------------------------

class _UploadActionView(generic.ActionView):
    """An ActionView whose form takes a file."""

    def get_form(self, obj):
        form = self.form(self.request.POST or None, self.request.FILES or None, **self.get_form_kwargs(obj))
        restrict_form_fields(form, self.request.user)
        return form


class FxImportView(_UploadActionView):
    queryset = FxRate.objects.all()
    action = "add"
    form = forms.FxImportForm
    title = "Import FX rates (CSV)"
    submit_label = "Import"
    success_url = cancel_url = "cashier:fxrate_list"

    def perform(self, obj, form):
        from django.core.exceptions import ValidationError

        from cashier.services.fx import fx_import

        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("The file is larger than 5 MB.")
        count, problems = fx_import(data=upload.read(), actor=self.request.user, source=upload.name)
        if problems:
            raise ValidationError(problems[:20])
        self.imported = count

    def get_success_message(self, result):
        return f"Imported {self.imported} rate(s)."


class ReconciliationRunListView(generic.ObjectListView):
    queryset = ReconciliationRun.objects.select_related("gateway", "created_by").defer("rows")
    table = tables.ReconciliationRunTable
    title = "Reconciliations"
    add_url = "cashier:reconciliationrun_add"


class ReconciliationRunView(generic.ObjectDetailView):
    queryset = ReconciliationRun.objects.select_related("gateway", "created_by")
    template_name = "cashier/reconciliationrun.html"
    detail_fields = ["gateway", "file_name", "created_by", "created_at"]

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            # A download of the run's rows: audited and cleaned like every list export.
            run = self.get_object()
            export_audit(request=request, model=self.model, fmt="csv", target=run)
            return csv_response(reconciliation_rows(run), f"reconciliation-{run.pk}")
        return super().get(request, *args, **kwargs)

    def get_extra_context(self, obj):
        order = {"mismatch": 0, "missing_ours": 1, "missing_theirs": 2, "duplicate": 3, "unreadable": 4, "matched": 5}
        rows = sorted(obj.rows, key=lambda r: order.get(r["result"], 9))[:500]
        return {"summary": obj.summary, "rows": rows, "total_rows": len(obj.rows)}


class ReconciliationUploadView(_UploadActionView):
    queryset = ReconciliationRun.objects.all()
    action = "add"
    form = forms.ReconcileForm
    title = "Reconcile a settlement file"
    submit_label = "Reconcile"
    success_message = "Reconciliation done."
    cancel_url = "cashier:reconciliationrun_list"

    def perform(self, obj, form):
        from django.core.exceptions import ValidationError

        from cashier.services.reconciliation import reconcile

        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise ValidationError("The file is larger than 20 MB.")
        return reconcile(gateway=form.cleaned_data["gateway"], data=upload.read(), file_name=upload.name,
                         actor=self.request.user)
