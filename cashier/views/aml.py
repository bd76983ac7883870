"""AML cases: list, page, assignment, notes, resolution."""

from __future__ import annotations

from django.db.models import Count

from backoffice.views import generic
from cashier import filtersets, forms, services, tables
from cashier.models import (
    AmlCase,
    AmlCaseNote,
    AmlFlag,
)


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
