"""FX rates: 1 unit of a currency in the base currency (settings.BASE_CURRENCY), valid from a moment on."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from backoffice.money import CURRENCY_EXPONENTS, quantize, to_decimal
from backoffice.services import audit_record
from cashier.models import FxRate


def fx_rate(currency: str, at: dt.datetime | None = None) -> Decimal | None:
    """The rate in force at ``at`` (now by default); 1 for the base currency; None when unknown."""
    if currency == settings.BASE_CURRENCY:
        return Decimal(1)
    row = (FxRate.objects.filter(currency=currency, valid_from__lte=at or timezone.now())
           .order_by("-valid_from").values_list("rate", flat=True).first())
    return row


def to_base(amount: Decimal, currency: str, at: dt.datetime | None = None) -> Decimal | None:
    rate = fx_rate(currency, at)
    return None if rate is None else quantize(amount * rate, settings.BASE_CURRENCY)


def _parse_when(raw: str) -> dt.datetime | None:
    raw = (raw or "").strip()
    when = parse_datetime(raw)
    if when is None:
        day = parse_date(raw)
        when = dt.datetime.combine(day, dt.time.min) if day else None
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    return when


def fx_import(*, data: bytes, actor=None, actor_label: str = "", source: str = "csv") -> tuple[int, list[str]]:
    """Import ``currency,rate,valid_from`` rows. All or nothing: any bad row aborts the import and every
    problem is reported with its line number. Returns (rows imported, problems)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return 0, ["The file is not UTF-8 text."]
    reader = csv.DictReader(io.StringIO(text))
    missing = {"currency", "rate", "valid_from"} - {(f or "").strip() for f in (reader.fieldnames or [])}
    if missing:
        return 0, [f"Missing column(s): {', '.join(sorted(missing))}."]
    rows, problems, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        currency = row["currency"].upper()
        if currency not in CURRENCY_EXPONENTS or currency == settings.BASE_CURRENCY:
            problems.append(f"line {line}: unknown or base currency {row['currency']!r}")
            continue
        try:
            rate = to_decimal(row["rate"])
        except (TypeError, ValueError):
            problems.append(f"line {line}: rate {row['rate']!r} is not a number")
            continue
        if rate <= 0 or rate >= Decimal(10) ** 10:
            problems.append(f"line {line}: rate must be positive")
            continue
        when = _parse_when(row["valid_from"])
        if when is None:
            problems.append(f"line {line}: valid_from {row['valid_from']!r} is not a date")
            continue
        if (currency, when) in seen:
            problems.append(f"line {line}: duplicate row for {currency} at {when:%Y-%m-%d %H:%M}")
            continue
        seen.add((currency, when))
        rows.append(FxRate(currency=currency, rate=rate, valid_from=when, source=source[:40]))
    if problems:
        return 0, problems
    if not rows:
        return 0, ["The file has no rows."]
    with transaction.atomic():
        existing = set(FxRate.objects.filter(currency__in={r.currency for r in rows})
                       .values_list("currency", "valid_from"))
        new = [r for r in rows if (r.currency, r.valid_from) not in existing]
        FxRate.objects.bulk_create(new)
        audit_record(actor=actor, actor_label=actor_label, action="cashier.fx_import", object_type="cashier.fxrate",
                     after={"rows": len(new), "skipped_existing": len(rows) - len(new), "source": source})
    return len(new), []

