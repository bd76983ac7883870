"""ActionView: validate a plain form, call a service in its own transaction, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from backoffice.exceptions import ApplicationError
from backoffice.filtersets import restrict_form_fields
from backoffice.views.generic.base import ObjectPermissionMixin


class ActionView(ObjectPermissionMixin, View):
    """Validates a plain form, calls a service through ``perform()`` and redirects to ``get_success_url()``.

    With a ``pk`` in the URL the action is on that object (404 outside the user's scope); without one it
    is a create-style action (e.g. "add": ``perform(None, form)`` returns the new object).

    ``perform()`` runs in its own ``transaction.atomic()`` block: a service that refuses (``ApplicationError``
    or ``ValidationError``) after writing something leaves nothing behind, with or without
    ``ATOMIC_REQUESTS`` (with it, the block is a savepoint inside the request's transaction).

    Two steps for what cannot be taken back at once: when ``confirmation()`` returns a statement (the service's
    words: "Self-exclusion until ..."), the first valid POST shows it with the same values and a confirm button
    (``confirm_template``, extra context from ``confirmation_context()``); only a POST carrying ``confirm_field``
    acts, and one carrying ``edit`` goes back to the form. An empty statement (the default) acts at once.
    """

    form = None
    template_name = "generic/action.html"
    title = None
    submit_label = "Save"
    success_message = "Done."
    success_url = None  # URL name to go to after success (with the object's pk for object actions)
    cancel_url = None  # URL name for create-style actions; object actions cancel back to the object
    confirm_template = "generic/action_confirm.html"
    confirm_label = "Confirm"
    confirm_field = "confirmed"

    def get_object(self):
        return super().get_object() if "pk" in self.kwargs else None

    def get_form(self, obj):
        form = self.form(self.request.POST or None, self.request.FILES or None, **self.get_form_kwargs(obj))
        restrict_form_fields(form, self.request.user)
        return form

    def get_form_kwargs(self, obj) -> dict:
        return {}

    def perform(self, obj, form):
        raise NotImplementedError

    def confirmation(self, obj, form) -> str:
        """The statement to confirm before acting; "" acts at once. May refuse with ``ApplicationError``."""
        return ""

    def confirmation_context(self, obj, form) -> dict:
        return {}

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_success_url(self, obj, result) -> str:
        """``success_url`` when declared, else the page of the result, else the object's, else the cancel page."""
        if self.success_url:
            return reverse(self.success_url, args=[obj.pk] if obj is not None else [])
        for target in (result, obj):
            if hasattr(target, "get_absolute_url"):
                return target.get_absolute_url()
        return reverse(self.cancel_url)

    def render(self, obj, form):
        title = self.title or (f"{self.action.capitalize()} {obj}" if obj is not None
                               else f"{self.action.capitalize()} {self.model._meta.verbose_name}")
        cancel = obj.get_absolute_url() if obj is not None else (reverse(self.cancel_url) if self.cancel_url else "")
        return TemplateResponse(self.request, self.template_name, {
            "object": obj, "form": form, "model": self.model, "opts": self.model._meta,
            "submit_label": self.submit_label, "title": title, "cancel_url": cancel})

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render(obj, self.get_form(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj)
        if "edit" in request.POST:
            return self.render(obj, form)
        if form.is_valid() and not request.POST.get(self.confirm_field):
            try:
                statement = self.confirmation(obj, form)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                return self.render(obj, form)
            if statement:
                return TemplateResponse(request, self.confirm_template, {
                    "object": obj, "form": form, "opts": self.model._meta, "title": self.title,
                    "statement": statement, "submit_label": self.confirm_label, "confirm_field": self.confirm_field,
                    "cancel_url": obj.get_absolute_url() if obj is not None else reverse(self.cancel_url),
                    **self.confirmation_context(obj, form)})
        if form.is_valid():
            try:
                with transaction.atomic():
                    result = self.perform(obj, form)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error(None, "; ".join(exc.messages))
            else:
                messages.success(request, self.get_success_message(result))
                return HttpResponseRedirect(self.get_success_url(obj, result))
        return self.render(obj, form)
