"""Base filter set: restricts every related-object dropdown through the scoping mechanism."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q

from backoffice.models import AuditEvent, User
from backoffice.querysets import ScopedQuerySet
from backoffice.roles import ROLES


class SelectorChoiceField(forms.ModelChoiceField):
    """A dropdown whose choices are not "the rows the user may view" but what a selector says may be
    chosen, for that user: ``selector(user)`` returns the queryset, or None when the user gets no such
    field at all (who may be assigned a follow-up is not the list of logins a role may browse)."""

    def __init__(self, *, selector, queryset, **kwargs):
        self.selector = selector
        super().__init__(queryset=queryset, **kwargs)


def restrict_form_fields(form, user, action: str = "view") -> None:
    """Limit every model-choice field of ``form`` to the rows ``user`` may see.

    A :class:`SelectorChoiceField` gets its selector's choices instead (and leaves the form when the
    selector gives None). Then the form may adapt itself to the user (``restrict_to_user(user)``: an
    agent's default node, for example).
    """
    for name, field in list(form.fields.items()):
        if isinstance(field, SelectorChoiceField):
            choices = field.selector(user)
            if choices is None:
                del form.fields[name]
            else:
                field.queryset = choices
            continue
        qs = getattr(field, "queryset", None)
        if isinstance(qs, ScopedQuerySet):
            field.queryset = qs.restrict(user, action)
    adapt = getattr(form, "restrict_to_user", None)
    if callable(adapt):
        adapt(user)


class BaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    search_fields: tuple[str, ...] = ()

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        if request is not None:
            self._drop_hidden_models(request.user)
            restrict_form_fields(self.form, request.user)
        for field in self.form.fields.values():  # "Any" reads better than Django's dashes in a filter bar
            if hasattr(field, "empty_label") and field.empty_label is not None:
                field.empty_label = "Any"
            if isinstance(field.widget, forms.NullBooleanSelect):  # "Unknown" means "either" in a filter
                field.widget.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]
            choices = getattr(field, "choices", None)
            if choices is None or isinstance(field, forms.ModelChoiceField):  # those use empty_label
                continue
            choices = list(choices)
            if choices and choices[0][0] == "":
                field.choices = [("", "Any"), *choices[1:]]  # also re-normalizes the widget's copy
        q = self.form.fields.get("q")
        if q is not None:
            q.widget = forms.TextInput(attrs={"type": "search", "placeholder": "Search…", "data-hotkey": "/"})

    def _drop_hidden_models(self, user) -> None:
        """A filter over a model the user may not view at all is absent, not an empty dropdown
        (agents get no "Segment" filter, Marketing no "Agent" filter)."""
        for name, field in list(self.form.fields.items()):
            qs = getattr(field, "queryset", None)
            if isinstance(qs, ScopedQuerySet) and not qs.can(user, "view"):
                del self.form.fields[name]
                self.filters.pop(name, None)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset

        cond = Q()
        for f in self.search_fields:
            cond |= Q(**{f: value})
        return queryset.filter(cond)


class AuditEventFilterSet(BaseFilterSet):
    search_fields = ("actor_label__iexact", "object_repr__icontains", "object_id", "request_id")
    action = django_filters.CharFilter(lookup_expr="startswith", label="Action")
    object_type = django_filters.CharFilter(label="Object type")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From",
                                              widget=forms.DateInput(attrs={"type": "date"}))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To",
                                               widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEvent
        fields = ["q", "action", "object_type", "created_after", "created_before"]


class UserFilterSet(BaseFilterSet):
    search_fields = ("username__icontains", "email__icontains", "last_name__icontains")
    role = django_filters.ModelChoiceFilter(field_name="groups", queryset=None, label="Role")
    kind = django_filters.ChoiceFilter(choices=[("operator", "Operator staff"), ("agent", "Agent")],
                                       method="filter_kind", label="Kind")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = User
        fields = ["q", "role", "kind", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["role"].queryset = Group.objects.filter(name__in=list(ROLES)).order_by("name")
        self.form.fields["role"].queryset = self.filters["role"].queryset

    def filter_kind(self, queryset, name, value):
        return queryset.filter(agent_node__isnull=value == "operator")
