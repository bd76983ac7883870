"""Manual adjustments: the two-step adjust page, the list of adjustments, four-eyes approval and limits."""

from __future__ import annotations

import uuid

from django.core import signing
from django.urls import reverse

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money
from backoffice.views import generic
from cashier import filtersets, forms, services, tables
from cashier.choices import AdjustmentReason, AdjustmentStatus
from cashier.models import Account, Adjustment, AdjustmentPolicy

_CONFIRM_SALT = "cashier.adjustment.confirm"
_CONFIRM_MAX_AGE = 3600  # seconds a confirmation page stays valid


class AccountAdjustView(generic.ActionView):
    """A manual adjustment of a player's cash wallet (permission ``cashier.adjust_account``), in two steps:
    the first POST validates and shows what will happen (amount, currency, account, direction, four-eyes);
    only the confirmation (``confirm`` with the same data and the signed token) posts or records it.

    The token signs the account, the amount and an idempotency key: a confirmation whose data was changed
    is refused, and a double-clicked confirm posts once."""

    queryset = Account.objects.filter(player__isnull=False, kind="player_cash").select_related("player")
    action = "adjust"
    form = forms.AdjustmentForm
    submit_label = "Review adjustment"
    confirm_template = "cashier/adjustment_confirm.html"
    confirm_field = "confirm"

    def get_form_kwargs(self, obj):
        return {"currency": obj.currency}

    def get_form(self, obj):
        form = super().get_form(obj)
        limits = services.adjustment_limits(currency=obj.currency)
        form.fields["amount"].help_text += (
            f" At most {format_money(limits.ceiling, obj.currency)} either way; above "
            f"{format_money(limits.four_eyes_above, obj.currency)} another person must approve it.")
        return form

    def render(self, obj, form):
        response = super().render(obj, form)
        response.context_data["title"] = f"Adjust the cash balance of {obj.player} ({obj.balance:.2f} {obj.currency})"
        return response

    def confirmation(self, obj, form) -> str:
        data = form.cleaned_data
        self._four_eyes = services.adjustment_check(player=obj.player, amount=data["amount"],
                                                    reason_code=data["reason_code"], reason=data["reason"])
        verb, preposition = ("credit", "to") if data["amount"] > 0 else ("debit", "from")
        return f"You are about to {verb} {format_money(abs(data['amount']), obj.currency)} {preposition} " \
               f"the cash wallet of {obj.player}"

    def confirmation_context(self, obj, form) -> dict:
        amount, currency = form.cleaned_data["amount"], obj.currency
        limits = services.adjustment_limits(currency=currency)
        token = signing.dumps({"account": obj.pk, "amount": str(amount), "key": uuid.uuid4().hex}, salt=_CONFIRM_SALT)
        return {
            "token": token, "title": f"Confirm the adjustment of {obj.player}'s cash balance",
            "verb": "credit" if amount > 0 else "debit", "amount_text": format_money(abs(amount), currency),
            "currency": currency, "balance_text": format_money(obj.balance, currency),
            "balance_after_text": format_money(obj.balance + amount, currency),
            "reason_code_label": AdjustmentReason(form.cleaned_data["reason_code"]).label,
            "four_eyes": self._four_eyes, "four_eyes_text": format_money(limits.four_eyes_above, currency),
            "cancel_url": obj.player.get_absolute_url()}

    def _idempotency_key(self, obj, form) -> str:
        token = self.request.POST.get("token", "")
        if not token:
            return ""
        try:
            signed = signing.loads(token, salt=_CONFIRM_SALT, max_age=_CONFIRM_MAX_AGE)
        except signing.BadSignature:
            raise ApplicationError("This confirmation has expired or was altered: review the adjustment again.",
                                   code="bad_token") from None
        if signed.get("account") != obj.pk or signed.get("amount") != str(form.cleaned_data["amount"]):
            raise ApplicationError("The amount or the account changed after the review: review it again.",
                                   code="bad_token")
        return f"adjustment:{signed['key']}"

    def perform(self, obj, form):
        return services.adjustment_request(player=obj.player, amount=form.cleaned_data["amount"],
                                           reason_code=form.cleaned_data["reason_code"],
                                           reason=form.cleaned_data["reason"], actor=self.request.user,
                                           idempotency_key=self._idempotency_key(obj, form))

    def get_success_message(self, result):
        if result.status == AdjustmentStatus.PENDING:
            return (f"{result.summary}: recorded as pending (above the four-eyes threshold). Nothing is posted "
                    f"until another person approves it.")
        return f"{result.summary}: posted."

    def get_success_url(self, obj, result):
        return reverse("cashier:player_wallets", args=[obj.player_id])  # where the posting or pending one shows


class AdjustmentListView(generic.ObjectListView):
    queryset = Adjustment.objects.select_related("player", "requested_by", "decided_by")
    filterset = filtersets.AdjustmentFilterSet
    table = tables.AdjustmentTable
    title = "Manual adjustments"


class AdjustmentView(generic.ObjectDetailView):
    queryset = Adjustment.objects.select_related("player", "account", "requested_by", "decided_by", "transaction")
    detail_fields = ["player", "amount", "currency", "status", "reason_code", "reason", "requested_by",
                     "requested_label", "created_at", "decided_by", "decided_at", "rejection_reason", "transaction"]
    buttons = [("Approve", "cashier:adjustment_approve", "approve", "primary"),
               ("Reject", "cashier:adjustment_reject", "approve", "danger")]

    def object_actions(self, obj):
        return super().object_actions(obj) if obj.status == AdjustmentStatus.PENDING else []


def _adjustment_summary(obj: Adjustment) -> list[tuple[str, str]]:
    return [("Adjustment", obj.summary), ("Player", str(obj.player)),
            ("Amount", format_money(obj.amount, obj.currency)),
            ("Reason", f"{obj.get_reason_code_display()}: {obj.reason}"),
            ("Requested by", str(obj.requested_by or obj.requested_label)),
            ("Requested at", f"{obj.created_at:%Y-%m-%d %H:%M}")]


class AdjustmentApproveView(generic.ActionView):
    """The second person's approval (four-eyes): the adjustment posts."""

    queryset = Adjustment.objects.select_related("player", "requested_by")
    action = "approve"
    form = forms.AdjustmentApproveForm
    template_name = "cashier/action_summary.html"
    submit_label = "Approve and post"

    def render(self, obj, form):
        self.title = f"Approve: {obj.summary}"
        response = super().render(obj, form)
        response.context_data["summary"] = _adjustment_summary(obj)
        return response

    def perform(self, obj, form):
        return services.adjustment_approve(adjustment_id=obj.pk, actor=self.request.user)

    def get_success_message(self, result):
        return f"{result.summary}: approved and posted."


class AdjustmentRejectView(generic.ActionView):
    queryset = Adjustment.objects.select_related("player", "requested_by")
    action = "approve"
    form = forms.AdjustmentRejectForm
    template_name = "cashier/action_summary.html"
    submit_label = "Reject (nothing is posted)"
    success_message = "Rejected; nothing was posted."

    def render(self, obj, form):
        self.title = f"Reject: {obj.summary}"
        response = super().render(obj, form)
        response.context_data["summary"] = _adjustment_summary(obj)
        return response

    def perform(self, obj, form):
        return services.adjustment_reject(adjustment_id=obj.pk, actor=self.request.user,
                                          reason=form.cleaned_data["reason"])


class AdjustmentPolicyListView(generic.ObjectListView):
    queryset = AdjustmentPolicy.objects.all()
    table = tables.AdjustmentPolicyTable
    title = "Adjustment limits"
    add_url = "cashier:adjustmentpolicy_add"


class AdjustmentPolicyEditView(generic.ObjectEditView):
    queryset = AdjustmentPolicy.objects.all()
    form = forms.AdjustmentPolicyForm
