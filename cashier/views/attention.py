"""The needs-attention queue: payments whose gateway answer is overdue and could not be settled by asking."""

from __future__ import annotations

from django.utils.timesince import timesince

from backoffice.money import format_money
from backoffice.views import generic
from cashier import filtersets, forms, tables
from cashier.models import AttentionItem
from cashier.services import gateway_status

_RELATED = ("deposit__gateway", "withdrawal__gateway", "proposed_by", "resolved_by")


class AttentionItemListView(generic.ObjectListView):
    queryset = AttentionItem.objects.select_related(*_RELATED)
    filterset = filtersets.AttentionItemFilterSet
    table = tables.AttentionItemTable
    title = "Needs attention"

    def get_filterset(self):
        data = self.request.GET.copy()
        data.setdefault("state", "open")  # the queue: open items unless the user asks for the resolved ones
        return self.filterset(data, queryset=self.queryset, request=self.request)


class AttentionItemView(generic.ObjectDetailView):
    queryset = AttentionItem.objects.select_related(*_RELATED)
    detail_fields = ["reason", "opened_at", "proposed_outcome", "proposed_reason", "proposed_by", "resolved_at",
                     "resolved_by", "resolution"]
    buttons = [("Ask the gateway again", "cashier:attentionitem_requery", "resolve", "primary"),
               ("Resolve by hand", "cashier:attentionitem_resolve", "resolve", "danger")]

    def object_actions(self, obj):
        return super().object_actions(obj) if obj.is_open else []

    def get_fields(self, obj):
        subject = obj.subject
        waited = timesince(obj.waiting_since, obj.resolved_at) if obj.resolved_at else timesince(obj.waiting_since)
        rows = [("Payment", subject), ("Gateway", subject.gateway), ("Amount", format_money(obj.amount, obj.currency)),
                ("Status", subject.get_status_display()), ("Waiting on the gateway since", obj.waiting_since),
                ("Waited", waited), ("Status queries", subject.status_queries),
                ("Last status query", f"{subject.last_query_result} at {subject.last_query_at:%Y-%m-%d %H:%M:%S}"
                 if subject.last_query_at else "—")]
        return rows + [(label, value) for label, value in super().get_fields(obj) if value not in (None, "")]


class AttentionItemRequeryView(generic.ActionView):
    queryset = AttentionItem.objects.all()
    action = "resolve"
    form = forms.AttentionRequeryForm
    title = "Ask the gateway again"
    submit_label = "Ask now"

    def perform(self, obj, form):
        return gateway_status.attention_requery(item_id=obj.pk, actor=self.request.user)

    def get_success_message(self, result):
        if result in ("paid", "failed"):
            return f"The gateway answers {result}: the payment is settled and the item closed."
        return f"Still unresolved ({result}); see the last status query."

    def get_success_url(self, obj, result):
        return obj.get_absolute_url()


class AttentionItemResolveView(generic.ActionView):
    queryset = AttentionItem.objects.all()
    action = "resolve"
    form = forms.AttentionResolveForm
    submit_label = "Resolve"

    def render(self, obj, form):
        if obj is not None:
            self.title = f"Resolve {obj.subject} ({format_money(obj.amount, obj.currency)}) by hand"
            if obj.proposed_outcome:
                form.fields["outcome"].help_text = (
                    f"Four-eyes: {obj.proposed_by} proposed “{obj.get_proposed_outcome_display()}” "
                    f"({obj.proposed_reason}). Choose the same outcome to confirm it.")
        return super().render(obj, form)

    def perform(self, obj, form):
        return gateway_status.attention_resolve(item_id=obj.pk, outcome=form.cleaned_data["outcome"],
                                                reason=form.cleaned_data["reason"], actor=self.request.user)

    def get_success_message(self, result):
        if result.is_open:
            return "Resolution proposed; another person must confirm it (four-eyes)."
        return "Resolved; the payment is settled."
