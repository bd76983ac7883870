"""AML and fraud flags. Each rule hit adds a flag to the player's open case (opened on first hit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money
from backoffice.services import audit_record
from cashier.choices import CaseStatus, DepositStatus, FlagKind
from cashier.models import AmlCase, AmlCaseNote, AmlFlag, AmlThreshold, Deposit
from players.models import RgUsage
from players.services import timeline_record

FAILED_DEPOSITS_LIMIT = 5
FAILED_DEPOSITS_WINDOW = dt.timedelta(minutes=10)


def aml_thresholds(currency: str) -> AmlThreshold:
    """The thresholds of ``currency`` (the defaults of the model when none were configured)."""
    return AmlThreshold.objects.filter(currency=currency).first() or AmlThreshold(currency=currency)


def player_open_flags(*, player_id: int) -> int:
    return AmlFlag.objects.filter(player_id=player_id).exclude(case__status=CaseStatus.RESOLVED).count()


def player_deposits_blocked(*, player_id: int) -> bool:
    return AmlFlag.objects.filter(player_id=player_id, blocks_deposits=True).exclude(
        case__status=CaseStatus.RESOLVED).exists()


def aml_flag_raise(*, player, kind: str, summary: str, deposit=None, withdrawal=None, blocks_deposits: bool = False,
                   data: dict | None = None, integration: str = "cashier.aml") -> AmlFlag:
    """Add a flag to the player's open case (creating it), in the caller's transaction; timeline + audit."""

    with transaction.atomic():
        case = AmlCase.objects.select_for_update().filter(player=player).exclude(status=CaseStatus.RESOLVED).first()
        if case is None:
            case = AmlCase.objects.create(player=player)
        flag = AmlFlag.objects.create(case=case, player=player, kind=kind, summary=summary[:300], deposit=deposit,
                                      withdrawal=withdrawal, blocks_deposits=blocks_deposits, data=data or {})
        timeline_record(player_id=player.pk, kind="cashier.aml_flag", summary=f"AML flag: {summary}"[:300],
                        integration=integration, ref_type="cashier.amlcase", ref_id=str(case.pk),
                        data={"kind": kind})
        audit_record(integration=integration, action="cashier.aml_flag", target=case,
                     after={"flag_id": flag.pk, "kind": kind, "summary": summary, "blocks_deposits": blocks_deposits})
    return flag


def deposit_checks(*, deposit: Deposit) -> list[AmlFlag]:
    """Rules run when a deposit is confirmed: large single transaction, velocity, many methods."""
    t = aml_thresholds(deposit.currency)
    player, flags = deposit.player, []
    if deposit.amount >= t.large_transaction:
        money = format_money(deposit.amount, deposit.currency)
        limit = format_money(t.large_transaction, deposit.currency)
        flags.append(aml_flag_raise(player=player, kind=FlagKind.LARGE_TRANSACTION, deposit=deposit,
                                    summary=f"Deposit {deposit.reference} of {money} (threshold {limit})"))
    since = timezone.now() - dt.timedelta(minutes=t.velocity_minutes)
    recent = Deposit.objects.filter(player=player, status=DepositStatus.CONFIRMED, confirmed_at__gte=since).count()
    if recent == t.velocity_count:  # once when the count reaches the threshold, not on every deposit after
        flags.append(aml_flag_raise(player=player, kind=FlagKind.DEPOSIT_VELOCITY, deposit=deposit,
                                    summary=f"{recent} deposits within {t.velocity_minutes} minutes"))
    methods = (Deposit.objects.filter(player=player, created_at__gte=timezone.now() - dt.timedelta(days=30))
               .values("method_id").distinct().count())
    if methods == t.max_methods + 1:
        flags.append(aml_flag_raise(player=player, kind=FlagKind.MANY_METHODS, deposit=deposit,
                                    summary=f"{methods} payment methods used in 30 days (threshold {t.max_methods})"))
    return flags


def failed_deposits_check(*, deposit: Deposit) -> AmlFlag | None:
    """5 failed deposits within 10 minutes block deposits and raise a flag (GLI-19 A.3.6)."""
    since = timezone.now() - FAILED_DEPOSITS_WINDOW
    failed = Deposit.objects.filter(player_id=deposit.player_id, status=DepositStatus.FAILED,
                                    updated_at__gte=since).count()
    if failed >= FAILED_DEPOSITS_LIMIT and not player_deposits_blocked(player_id=deposit.player_id):
        return aml_flag_raise(player=deposit.player, kind=FlagKind.FAILED_DEPOSITS, deposit=deposit,
                              blocks_deposits=True,
                              summary=f"{failed} failed deposits within 10 minutes: deposits blocked")
    return None


def withdrawal_checks(*, withdrawal) -> list[AmlFlag]:
    """Deposit-then-withdraw with little play; large single transaction."""
    t = aml_thresholds(withdrawal.currency)
    flags = []
    if withdrawal.amount >= t.large_transaction:
        flags.append(aml_flag_raise(player=withdrawal.player, kind=FlagKind.LARGE_TRANSACTION, withdrawal=withdrawal,
                                    summary=f"Withdrawal {withdrawal.reference} of "
                                            f"{format_money(withdrawal.amount, withdrawal.currency)} "
                                            f"(threshold {format_money(t.large_transaction, withdrawal.currency)})"))
    since = timezone.now() - dt.timedelta(days=30)
    deposited = (Deposit.objects.filter(player=withdrawal.player, status=DepositStatus.CONFIRMED,
                                        confirmed_at__gte=since).aggregate(s=Sum("amount"))["s"] or Decimal(0))
    wagered = _wagered_since(withdrawal.player_id, since)
    if deposited > 0 and wagered < deposited * t.min_play_ratio:
        dep, wag = format_money(deposited, withdrawal.currency), format_money(wagered, withdrawal.currency)
        flags.append(aml_flag_raise(player=withdrawal.player, kind=FlagKind.DEPOSIT_WITHDRAW, withdrawal=withdrawal,
                                    summary=f"Withdrawal after depositing {dep} and wagering {wag} in 30 days",
                                    data={"deposited": str(deposited), "wagered": str(wagered)}))
    return flags


def _wagered_since(player_id: int, since) -> Decimal:
    """Wagers recorded by the players module's hourly usage buckets (rg_usage_record)."""

    total = RgUsage.objects.filter(player_id=player_id, hour__gte=since).aggregate(s=Sum("wagers"))["s"]
    return total or Decimal(0)


# --- the case queue ----------------------------------------------------------------------------------

@transaction.atomic
def aml_case_assign(*, case_id: int, assignee, actor) -> AmlCase:
    case = AmlCase.objects.select_for_update().get(pk=case_id)
    if case.status == CaseStatus.RESOLVED:
        raise ApplicationError("The case is resolved.", code="invalid_state")
    before = {"assignee": case.assignee_id, "status": case.status}
    case.assignee, case.status = assignee, CaseStatus.IN_REVIEW
    case.save(update_fields=["assignee", "status"])
    audit_record(actor=actor, action="cashier.aml_case_assign", target=case, before=before,
                 after={"assignee": assignee.pk if assignee else None, "status": case.status})
    return case


@transaction.atomic
def aml_case_note_add(*, case_id: int, text: str, actor) -> AmlCaseNote:
    if not text.strip():
        raise ApplicationError("A note needs text.", code="invalid")
    case = AmlCase.objects.get(pk=case_id)
    note = AmlCaseNote.objects.create(case=case, author=actor, text=text.strip())
    audit_record(actor=actor, action="cashier.aml_case_note", target=case, after={"note": note.text[:500]})
    return note


@transaction.atomic
def aml_case_resolve(*, case_id: int, resolution: str, actor) -> AmlCase:
    """Close a case: its flags stop holding automatic withdrawal approval and unblock deposits."""

    if not resolution.strip():
        raise ApplicationError("A resolution is required.", code="invalid")
    case = AmlCase.objects.select_for_update().get(pk=case_id)
    if case.status == CaseStatus.RESOLVED:
        raise ApplicationError("The case is already resolved.", code="invalid_state")
    before = {"status": case.status}
    case.status, case.resolution = CaseStatus.RESOLVED, resolution.strip()
    case.resolved_at, case.resolved_by = timezone.now(), actor
    case.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
    timeline_record(player_id=case.player_id, kind="cashier.aml_case_resolved", actor=actor,
                    summary=f"AML case {case.pk} resolved", ref_type="cashier.amlcase", ref_id=str(case.pk))
    audit_record(actor=actor, action="cashier.aml_case_resolve", target=case, before=before,
                 after={"status": case.status}, reason=resolution)
    return case
