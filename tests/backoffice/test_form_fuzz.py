"""Every form of the product, fuzzed as an administrator: bad input is a form error, never a 500.

The pages come from the URL resolver (``tests.matrix.url_patterns``): every view with a ``form`` (the
generic edit and action views and any other), so a form of a new app is fuzzed the day its URL exists.
For each field the test submits a sample of hostile values chosen by the field's type (negative, huge,
NaN/Infinity/1e309, letters, 10,000 characters, unicode and NUL, impossible dates, empty, missing) over
an otherwise plausible submission, and checks that the answer is not 5xx and that a rejected submission
(the form shown again) wrote no audit row: every state change is audited, so none happened.
"""

from __future__ import annotations

import itertools

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backoffice.models import AuditEvent
from tests import matrix
from tests.backoffice.test_permission_matrix import world  # noqa: F401  (the matrix's objects, registered there)
from tests.factories import OperatorFactory

SERIAL = itertools.count(1)
MISSING = object()  # leave the field out of the submission
LONG = "x" * 10_000
NUMBERS = ["-1", "1e309", "NaN", "-Infinity", "99999999999999999999999999", "0.0000000001"]
TEXT = ["nul \x00 byte", "ünïcödé ✓ 𝄞 \u202e <script>"]
DATES = ["2026-02-30", "0000-01-01", "99999-12-31T25:61"]
CHOICES = ["-1", "99999999999999999999999"]
JSON = ["1e309", "NaN", "Infinity", "-Infinity", "[", '{"a": [NaN]}', '"text"', '{"fail_rate": -5}']
FILES = [b"", b"\x00\xff\xfe" * 100, "é,ü\n✓,𝄞\n".encode(), b"a," * 5000 + b"\n", b"=1+1,@SUM(A1)\n-1,+2\n"]


def hostile_values(field: forms.Field) -> list:
    """A sample of hostile values for ``field``: its type's own, plus what every field gets (letters included)."""
    common = [MISSING, "", LONG]
    if isinstance(field, forms.FileField):
        return [MISSING, *FILES]
    if isinstance(field, forms.JSONField):
        return common + JSON
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return [*common, "maybe"]
    if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
        return common + CHOICES
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField | forms.DurationField):
        return common + NUMBERS
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
        return common + DATES
    return common + TEXT + NUMBERS[:2]


def plausible_value(field: forms.Field, initial):
    """A value the field accepts, so that the hostile one is the only thing wrong with a submission."""
    if initial not in (None, "", []):
        if isinstance(initial, bool):
            return "on" if initial else MISSING
        if isinstance(initial, list | tuple):
            return [str(getattr(v, "pk", v)) for v in initial]
        return str(getattr(initial, "pk", initial))
    if isinstance(field, forms.FileField):
        return b"a,b\n1,2\n"
    if isinstance(field, forms.ModelMultipleChoiceField):
        first = field.queryset.first()
        return [str(first.pk)] if first else []
    if isinstance(field, forms.ModelChoiceField):
        first = field.queryset.first()
        return str(first.pk) if first else ""
    if isinstance(field, forms.MultipleChoiceField):
        return [str(next(v for v, _ in field.choices if v != ""))]
    if isinstance(field, forms.ChoiceField):
        values = [v for v, _ in field.choices if v not in ("", None)]
        return str(values[0]) if values else ""
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return MISSING
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return str(max(field.min_value or 1, 1))
    if isinstance(field, forms.DateTimeField):
        return timezone.localtime().strftime("%Y-%m-%d %H:%M")
    if isinstance(field, forms.DateField):
        return timezone.localdate().isoformat()
    if isinstance(field, forms.DurationField):
        return "1:00:00"
    if isinstance(field, forms.JSONField):
        return "{}"
    if isinstance(field, forms.URLField):
        return "https://example.com/"
    unique = f"fuzz{next(SERIAL)}"  # a new name each time: an accepted submission must not block the next
    return f"{unique}@example.com" if isinstance(field, forms.EmailField) else unique


def submission(form, name: str, value) -> dict:
    data = {}
    for field_name, field in form.fields.items():
        chosen = value if field_name == name else plausible_value(field, form[field_name].value())
        if chosen is MISSING:
            continue
        key = form.add_prefix(field_name)
        if isinstance(field, forms.FileField):
            chosen = SimpleUploadedFile("fuzz.csv", chosen if isinstance(chosen, bytes) else chosen.encode())
        data[key] = chosen
    return data


def form_pages() -> list[matrix.Pattern]:
    """Every page with a form; an add and an edit page share a form class but not its path (create/update)."""
    return [p for p in matrix.url_patterns() if getattr(p.view_class, "form", None) is not None]


def test_every_form_survives_hostile_input(world, login):  # noqa: F811
    client = login(OperatorFactory(role="Administrator"), raise_request_exception=False)
    pages = form_pages()
    assert {"cashier:paymentgateway_add", "cashier:paymentgateway_edit", "players:player_add", "games:game_edit",
            "backoffice:user_add"} <= {p.name for p in pages}
    # Every object first: the fuzzing below may well lock a player out of deposits, for instance.
    urls = {p.name: matrix.url_for(p, matrix.OBJECTS[p.model._meta.label_lower](world)["foreign"] if p.has_pk
                                   else None) for p in pages}
    failures, submissions = [], 0
    for page in pages:
        url = urls[page.name]
        shown = client.get(url)
        assert shown.status_code == 200, f"{page.name}: the administrator cannot open the form ({shown.status_code})"
        form = shown.context["form"]
        audit_rows = AuditEvent.objects.count()
        for name, field in form.fields.items():
            for value in hostile_values(field):
                response = client.post(url, submission(form, name, value))
                submissions += 1
                before, audit_rows = audit_rows, AuditEvent.objects.count()
                if response.status_code >= 500:
                    failures.append(f"{page.name} {name}={value!r:.40}: {response.status_code}")
                elif response.status_code == 200 and audit_rows != before:
                    failures.append(f"{page.name} {name}={value!r:.40}: rejected, yet it wrote an audit row")
    assert submissions > 500
    assert not failures, "\n".join(failures)
