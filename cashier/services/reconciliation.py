"""Reconciliation of a gateway's settlement file against our confirmed deposits and paid withdrawals.

The file is CSV with the columns ``reference,amount,currency`` (more columns are ignored); ``reference``
is our deposit or withdrawal reference. Result categories: matched, missing on our side (in the file,
not in our records), missing on theirs (ours, not in the file), amount mismatch, plus report lines for
rows that could not be read.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db import transaction

from backoffice.exceptions import ApplicationError
from backoffice.money import to_decimal
from backoffice.services import audit_record
from cashier.choices import DepositStatus, WithdrawalStatus
from cashier.models import Deposit, PaymentGateway, ReconciliationRun, Withdrawal

REQUIRED = ("reference", "amount", "currency")


def reconcile(*, gateway: PaymentGateway, data: bytes, file_name: str, actor=None, actor_label: str = "",
              progress=None) -> ReconciliationRun:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError("The file is not UTF-8 text.", code="bad_encoding") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [(f or "").strip().lower() for f in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ApplicationError(f"Missing column(s): {', '.join(missing)}.", code="missing_columns")
    reader.fieldnames = header
    theirs: dict[str, tuple[Decimal, str, int]] = {}
    rows: list[dict] = []
    for line, raw in enumerate(reader, start=2):
        ref = (raw.get("reference") or "").strip()
        currency = (raw.get("currency") or "").strip().upper()
        try:
            amount = to_decimal(raw.get("amount") or "")
        except (TypeError, ValueError):
            rows.append({"line": line, "reference": ref, "result": "unreadable", "detail": "amount is not a number"})
            continue
        if not ref:
            rows.append({"line": line, "reference": "", "result": "unreadable", "detail": "no reference"})
            continue
        if ref in theirs:
            rows.append({"line": line, "reference": ref, "result": "duplicate",
                         "detail": f"also on line {theirs[ref][2]}"})
            continue
        theirs[ref] = (amount, currency, line)
        if progress and line % 10_000 == 0:
            progress(line)
    ours: dict[str, tuple[Decimal, str]] = {}
    for ref, amount, currency in Deposit.objects.filter(gateway=gateway, status=DepositStatus.CONFIRMED).values_list(
            "reference", "amount", "currency").iterator(chunk_size=5000):
        ours[ref] = (amount, currency)
    for ref, amount, currency in Withdrawal.objects.filter(gateway=gateway, status=WithdrawalStatus.PAID).values_list(
            "reference", "amount", "currency").iterator(chunk_size=5000):
        ours[ref] = (-amount, currency)  # payouts are negative in a settlement file
    summary = {"matched": 0, "missing_ours": 0, "missing_theirs": 0, "mismatched": 0,
               "unreadable": sum(1 for r in rows if r["result"] in ("unreadable", "duplicate"))}
    for ref, (amount, currency, line) in theirs.items():
        if ref not in ours:
            summary["missing_ours"] += 1
            rows.append({"line": line, "reference": ref, "result": "missing_ours", "theirs": f"{amount} {currency}"})
            continue
        our_amount, our_currency = ours[ref]
        if our_amount == amount and our_currency == currency:
            summary["matched"] += 1
            rows.append({"line": line, "reference": ref, "result": "matched", "theirs": f"{amount} {currency}"})
        else:
            summary["mismatched"] += 1
            rows.append({"line": line, "reference": ref, "result": "mismatch", "theirs": f"{amount} {currency}",
                         "ours": f"{our_amount} {our_currency}"})
    for ref, (amount, currency) in ours.items():
        if ref not in theirs:
            summary["missing_theirs"] += 1
            rows.append({"line": "", "reference": ref, "result": "missing_theirs", "ours": f"{amount} {currency}"})
    with transaction.atomic():
        run = ReconciliationRun.objects.create(gateway=gateway, file_name=file_name[:200], summary=summary, rows=rows,
                                               created_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit_record(actor=actor, actor_label=actor_label, action="cashier.reconcile", target=run, after=summary)
    return run


RECONCILIATION_COLUMNS = ["line", "reference", "result", "theirs", "ours", "detail"]


def reconciliation_rows(run: ReconciliationRun):
    """The run's rows as lists of cells, the header first (for the CSV download and the command's file)."""
    yield RECONCILIATION_COLUMNS
    for row in run.rows:
        yield [row.get(k, "") for k in RECONCILIATION_COLUMNS]


def reconciliation_csv(run: ReconciliationRun) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(reconciliation_rows(run))
    return out.getvalue()
