"""ObjectEditView: create or edit reference data with a ModelForm (money flows have services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views import View

from backoffice.exceptions import ApplicationError
from backoffice.filtersets import restrict_form_fields
from backoffice.services import reference_save, snapshot
from backoffice.views.generic.base import ObjectPermissionMixin


class ObjectEditView(ObjectPermissionMixin, View):
    """Create or edit reference data with a ModelForm. Money flows never use this: they have services."""

    form = None
    template_name = "generic/object_edit.html"

    def get_action(self):
        return "change" if "pk" in self.kwargs else "add"

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else self.model()

    def get_form(self, instance):
        form = self.form(self.request.POST or None, self.request.FILES or None, instance=instance)
        restrict_form_fields(form, self.request.user)
        return form

    def render(self, form, instance):
        verb = "Edit" if instance.pk else "Add"
        return TemplateResponse(self.request, self.template_name, {
            "form": form, "object": instance if instance.pk else None, "model": self.model, "opts": self.model._meta,
            "title": f"{verb} {self.model._meta.verbose_name}"})

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render(self.get_form(instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        before = snapshot(instance) if instance.pk else None
        form = self.get_form(instance)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = reference_save(instance=form.save(commit=False), before=before, actor=request.user,
                                         fields=list(form.changed_data))
                    form.save_m2m()
                    # The saved object must still be one the user may edit: an edit cannot move it out of
                    # the user's scope, nor into the part of it the user may only view.
                    if not self.model.objects.restrict(request.user, self.get_action()).filter(pk=obj.pk).exists():
                        raise PermissionDenied
            except (ApplicationError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
            else:
                messages.success(request, f"{self.model._meta.verbose_name.capitalize()} “{obj}” saved.")
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render(form, instance)
