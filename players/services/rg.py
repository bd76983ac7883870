"""Responsible gambling: limits, time-outs, self-exclusion, reality checks, and the one check every money
path calls (``rg_check``) with the usage recorder it reads (``rg_usage_record``).

Rules (the market profile in ``players.rg_profiles`` supplies the numbers):

* deposit, loss and wager limits per 24 hours, 7 days and 1 month (rolling 30 days); the lowest of all
  limits in force applies; a player's own limit can never be set above an operator-imposed one of the
  same kind and period, and in any case the lower of the two applies;
* a player's decrease applies at once; an increase (or removal) waits for the cooling-off (24 h) and,
  when the profile says so (UKGC), for the player's reaffirmation after it; operator limits apply at once;
* time-outs (24 h to 6 weeks) and self-exclusion (6 months to 5 years, or indefinite) apply at once and
  cannot be lifted early (no service does it);
* loss = wagers - wins over the window; a bet is refused when losing all of it would pass a loss limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money, has_valid_precision, to_decimal
from backoffice.services import audit_record, snapshot
from players.choices import ExclusionKind, LimitKind, LimitPeriod, LimitSource, PlayerStatus, UsageKind
from players.hooks import exclusion_started
from players.models import Player, RgExclusion, RgLimit, limit_effective_amount
from players.services.timeline import timeline_record

WINDOWS = {LimitPeriod.DAY: timedelta(hours=24), LimitPeriod.WEEK: timedelta(days=7),
           LimitPeriod.MONTH: timedelta(days=30)}
MAX_LIMIT = Decimal("1000000000")
# The limits a deposit and a bet are checked against. rule: rg.bet_limit_kinds (the wallet's SQL fast path leaves
# every player with a limit of BET_LIMIT_KINDS to the Python path: games/sql/games_wallet_bet.sql).
DEPOSIT_LIMIT_KINDS = (LimitKind.DEPOSIT,)
BET_LIMIT_KINDS = (LimitKind.WAGER, LimitKind.LOSS)


@dataclass(frozen=True)
class RgDecision:
    allowed: bool
    # "" | "self_excluded" | "timed_out" | "blocked" | "deposit_limit" | "wager_limit" | "loss_limit"
    code: str = ""
    message: str = ""     # human text, safe to show
    remaining: Decimal | None = None   # what is left under the tightest limit, when a limit applies


@dataclass(frozen=True)
class LimitState:
    """A limit in force and how much of it is used (for rg_check and the limits tab)."""

    kind: str
    period: str
    amount: Decimal
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.used


def _hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _window_start(at: datetime, period: str) -> datetime:
    # Whole hours: the bucket containing the window's start counts in full (stricter, never looser).
    return _hour(at - WINDOWS[period])


def active_exclusions(player_id: int, at: datetime) -> list[RgExclusion]:
    """rule: rg.exclusion_active (with _active_exclusion_rows): in force from starts_at until ends_at or for ever."""
    return list(RgExclusion.objects.filter(player_id=player_id, starts_at__lte=at)
                .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at)).order_by("ends_at"))


_LIMIT_COLS = ("kind", "period", "amount", "pending_amount", "pending_remove", "pending_from",
               "pending_needs_confirmation", "pending_confirmed_at")


def effective_limits(player_id: int, at: datetime, kinds=None) -> dict[tuple[str, str], Decimal]:
    """{(kind, period): amount in force} with the lowest of player and operator limits.

    Raw SQL on purpose (here and in usage_totals): rg_check runs on every bet, and building these
    statements through the ORM cost several times the database time.
    """
    sql = f"SELECT {', '.join(_LIMIT_COLS)} FROM players_rglimit WHERE player_id = %s"  # noqa: S608 - fixed columns
    params: list = [player_id]
    if kinds is not None:
        sql += " AND kind = ANY(%s)"
        params.append(list(kinds))
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    result: dict[tuple[str, str], Decimal] = {}
    for kind, period, *rest in rows:
        amount = limit_effective_amount(*rest, at)
        if amount is None:
            continue
        key = (kind, period)
        result[key] = min(amount, result.get(key, amount))
    return result


def usage_totals(player_id: int, at: datetime, periods) -> dict[str, dict[str, Decimal]]:
    """{period: {"deposits", "wagers", "wins"}} over each rolling window ending at ``at`` (one query)."""
    periods = [p for p in WINDOWS if p in set(periods)]
    if not periods:
        return {}
    selects, params = [], []
    for period in periods:
        for col in ("deposits", "wagers", "wins"):
            selects.append(f"COALESCE(SUM({col}) FILTER (WHERE hour >= %s), 0)")
            params.append(_window_start(at, period))
    earliest = min(_window_start(at, p) for p in periods)
    sql = (f"SELECT {', '.join(selects)} FROM players_rgusage "  # noqa: S608 - only fixed column names
           "WHERE player_id = %s AND hour >= %s AND hour <= %s")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, player_id, earliest, at])
        values = cur.fetchone()
    out: dict[str, dict[str, Decimal]] = {}
    for i, period in enumerate(periods):
        out[period] = dict(zip(("deposits", "wagers", "wins"), values[i * 3: i * 3 + 3], strict=True))
    return out


def _active_exclusion_rows(player_id: int, at: datetime) -> list[tuple[str, datetime | None]]:
    """rule: rg.exclusion_active, as rows (kind, ends_at): raw SQL, rg_check runs on every bet."""
    with connection.cursor() as cur:
        cur.execute("SELECT kind, ends_at FROM players_rgexclusion WHERE player_id = %s AND starts_at <= %s "
                    "AND (ends_at IS NULL OR ends_at > %s)", [player_id, at, at])
        return cur.fetchall()


def limit_states(player_id: int, at: datetime, kinds=None) -> list[LimitState]:
    limits = effective_limits(player_id, at, kinds)
    if not limits:
        return []
    usage = usage_totals(player_id, at, {period for _, period in limits})
    states = []
    for (kind, period), amount in limits.items():
        u = usage[period]
        used = {LimitKind.DEPOSIT: u["deposits"], LimitKind.WAGER: u["wagers"],
                LimitKind.LOSS: u["wagers"] - u["wins"]}[kind]
        states.append(LimitState(kind=kind, period=period, amount=amount, used=used))
    return states


def rg_check(*, player, action: str, amount: Decimal, at: datetime | None = None) -> RgDecision:
    """May this player deposit / bet ``amount`` now, and if not, why. Read-only.

    The caller holds a row lock on the player's wallet (or the player) so that check and record are atomic.
    Queries: one for exclusions, one for limits, one for usage when a limit applies.
    """
    if action not in ("deposit", "bet"):
        raise ValueError(f"Unknown RG action {action!r}.")
    amount = to_decimal(amount)
    if amount < 0:
        raise ValueError("The amount cannot be negative.")
    at = at or timezone.now()
    if player.status != PlayerStatus.ACTIVE:  # rule: rg.player_active
        return RgDecision(False, "blocked", f"The account is {player.get_status_display().lower()}.")
    exclusions = _active_exclusion_rows(player.pk, at)
    for kind, code, label in ((ExclusionKind.SELF_EXCLUSION, "self_excluded", "self-excluded"),
                              (ExclusionKind.TIMEOUT, "timed_out", "on a time-out")):
        ends = [ends_at for k, ends_at in exclusions if k == kind]
        if ends:
            until = "indefinitely" if None in ends else f"until {max(ends):%Y-%m-%d %H:%M} UTC"
            return RgDecision(False, code, f"The player is {label} {until}.")
    kinds = DEPOSIT_LIMIT_KINDS if action == "deposit" else BET_LIMIT_KINDS
    states = limit_states(player.pk, at, kinds)
    if not states:
        return RgDecision(True)
    tightest = min(states, key=lambda s: s.remaining)
    remaining = max(tightest.remaining, Decimal(0))
    if amount > tightest.remaining:
        money = format_money(remaining, player.currency)
        of = format_money(tightest.amount, player.currency)
        period = LimitPeriod(tightest.period).label
        message = f"{LimitKind(tightest.kind).label} limit: {money} left of {of} per {period}."
        return RgDecision(False, f"{tightest.kind}_limit", message, remaining)
    return RgDecision(True, remaining=remaining)


def rg_usage_record(*, player_id: int, kind: str, amount: Decimal, at: datetime | None = None) -> None:
    """Add a deposit, wager or win to the player's hourly usage, in the caller's transaction.

    The SQL function ``players_rg_usage_record`` (players/sql/) is the one implementation, shared with the
    wallet's fast path: one upsert on the (player, hour) bucket; the player row is touched only for deposits
    (lifetime total) and for the first activity of each hour (last activity, used by segments). A rollback
    records the negative amount.
    """
    if kind not in UsageKind.values:
        raise ValueError(f"Unknown usage kind {kind!r}.")
    amount = to_decimal(amount)
    with connection.cursor() as cur:
        cur.execute("SELECT players_rg_usage_record(%s, %s, %s, %s)", [player_id, kind, amount, at or timezone.now()])


# --- Limits ----------------------------------------------------------------------------------------

def _lock_player(player) -> Player:
    return Player.objects.select_for_update(no_key=True).get(pk=player.pk)


def _materialize(row: RgLimit, at: datetime) -> None:
    """Fold a matured pending increase into ``amount`` (no audit: the change was audited when requested)."""
    if row.pending_matured(at):
        row.amount = None if row.pending_remove else row.pending_amount
        _clear_pending(row)


def _clear_pending(row: RgLimit) -> None:
    row.pending_amount, row.pending_remove, row.pending_from = None, False, None
    row.pending_needs_confirmation, row.pending_confirmed_at = False, None


def _limit_snapshot(row: RgLimit) -> dict:
    return snapshot(row, fields=["kind", "period", "source", "amount", "pending_amount", "pending_remove",
                                 "pending_from", "pending_needs_confirmation", "pending_confirmed_at"])


def _describe(amount: Decimal | None, currency: str) -> str:
    return "no limit" if amount is None else format_money(amount, currency)


def rg_limit_source(*, source: str | None, actor) -> str:
    """Who imposed a limit: as given, else the player on their own site (no actor), else the operator.

    rule: rg.limit_source. Staff (or an agent) setting a limit impose it unless they record it explicitly
    as the player's request: a limit must never pass for self-imposed (and loosen at the player's word) by default.
    """
    if source:
        return source
    return LimitSource.PLAYER if actor is None else LimitSource.OPERATOR


def rg_limit_confirmation(*, player, kind: str, period: str, amount: Decimal | None) -> str:
    """What staff confirm before setting a limit that blocks the activity outright (a limit of 0); "" otherwise."""
    if amount is None or to_decimal(amount) != 0:
        return ""
    blocked = "deposit at all" if kind == LimitKind.DEPOSIT else "place any bet"
    return (f"{LimitKind(kind).label} limit of {format_money(Decimal(0), player.currency)} per "
            f"{LimitPeriod(period).label}: while it is in force the player cannot {blocked}.")


@transaction.atomic
def rg_limit_set(*, player, kind: str, period: str, amount: Decimal | str | None, source: str | None = None,
                 actor=None, reason: str = "", at: datetime | None = None) -> tuple[RgLimit, str]:
    """Set (or remove, with ``amount=None``) one limit. Returns (limit, "applied" | "pending" | "unchanged").

    ``source`` left out: see :func:`rg_limit_source` (operator-imposed when someone acts for the operator).
    """
    source = rg_limit_source(source=source, actor=actor)
    if kind not in LimitKind.values or period not in LimitPeriod.values or source not in LimitSource.values:
        raise ApplicationError("Unknown limit kind, period or source.", code="invalid")
    at = at or timezone.now()
    player = _lock_player(player)
    if amount is not None and amount != "":
        try:
            amount = to_decimal(amount)
        except (TypeError, ValueError):
            raise ApplicationError("The limit must be a number.", code="invalid") from None
        if amount < 0:
            raise ApplicationError("A limit cannot be negative.", code="negative")
        if amount > MAX_LIMIT or not has_valid_precision(amount, player.currency):
            raise ApplicationError(f"Enter an amount in {player.currency} with at most its decimals.", code="invalid")
    else:
        amount = None
    row, _ = RgLimit.objects.select_for_update().get_or_create(player=player, kind=kind, period=period, source=source)
    _materialize(row, at)
    before = _limit_snapshot(row)
    current = row.amount
    if source == LimitSource.PLAYER and amount is not None:
        operator = RgLimit.objects.filter(player=player, kind=kind, period=period, source=LimitSource.OPERATOR).first()
        op_amount = operator.effective_amount(at) if operator else None
        if op_amount is not None and amount > op_amount:
            raise ApplicationError(
                f"The player's limit cannot exceed the operator's {LimitKind(kind).label.lower()} limit of "
                f"{format_money(op_amount, player.currency)} per {LimitPeriod(period).label}.", code="above_operator")
    label = f"{LimitSource(source).label} {LimitKind(kind).label.lower()} limit per {LimitPeriod(period).label}"
    is_decrease = amount is not None and (current is None or amount <= current)
    if amount == current and not row.has_pending:
        outcome = "unchanged"
    elif source == LimitSource.OPERATOR or is_decrease:
        row.amount = amount
        _clear_pending(row)
        outcome = "applied"
    else:
        profile = player.rg_profile
        row.pending_amount, row.pending_remove = amount, amount is None
        row.pending_from = at + profile.increase_cooling_off
        row.pending_needs_confirmation, row.pending_confirmed_at = profile.increase_needs_confirmation, None
        outcome = "pending"
    if outcome == "unchanged":
        return row, outcome
    row.save()
    after = _limit_snapshot(row)
    if outcome == "applied":
        summary = f"{label}: {_describe(amount, player.currency)} (was {_describe(current, player.currency)})"
    else:
        confirm = " and the player's confirmation" if row.pending_needs_confirmation else ""
        summary = (f"{label}: increase to {_describe(amount, player.currency)} requested, in force after "
                   f"{row.pending_from:%Y-%m-%d %H:%M} UTC{confirm}")
    timeline_record(player_id=player.pk, kind=f"players.limit_{outcome}", summary=summary, amount=amount,
                    currency=player.currency if amount is not None else "", actor=actor, occurred_at=at,
                    ref_type="players.rglimit", ref_id=str(row.pk))
    audit_record(actor=actor, action=f"player.limit_{outcome}", target=player, before=before, after=after,
                 reason=reason)
    return row, outcome


@transaction.atomic
def rg_limit_confirm(*, player, limit_id: int, actor=None, at: datetime | None = None) -> RgLimit:
    """Record the player's reaffirmation of a pending increase (profiles that require it), after cooling-off."""
    at = at or timezone.now()
    player = _lock_player(player)
    row = RgLimit.objects.select_for_update().filter(player=player, pk=limit_id).first()
    if row is None or not row.has_pending:
        raise ApplicationError("There is no pending increase to confirm.", code="not_pending")
    if at < row.pending_from:
        raise ApplicationError(f"The cooling-off period runs until {row.pending_from:%Y-%m-%d %H:%M} UTC; "
                               "the player can confirm after it.", code="cooling_off")
    before = _limit_snapshot(row)
    row.pending_confirmed_at = at
    _materialize(row, at)
    row.save()
    summary = f"{row}: increase to {_describe(row.amount, player.currency)} confirmed by the player"
    timeline_record(player_id=player.pk, kind="players.limit_confirmed", summary=summary, amount=row.amount,
                    currency=player.currency if row.amount is not None else "", actor=actor, occurred_at=at,
                    ref_type="players.rglimit", ref_id=str(row.pk))
    audit_record(actor=actor, action="player.limit_confirmed", target=player, before=before,
                 after=_limit_snapshot(row))
    return row


def rg_limits_apply_matured(*, at: datetime | None = None) -> int:
    """Fold every matured pending increase into its limit (periodic housekeeping; rg_check does not need it)."""
    at = at or timezone.now()
    done = 0
    matured = Q(pending_needs_confirmation=False) | Q(pending_confirmed_at__isnull=False)
    ids = list(RgLimit.objects.filter(matured, pending_from__lte=at).values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            row = RgLimit.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is not None and row.pending_matured(at):
                _materialize(row, at)
                row.save()
                done += 1
    return done


# --- Exclusions and reality checks -----------------------------------------------------------------

def _exclusion_check(player, kind: str, duration: timedelta | None) -> None:
    profile = player.rg_profile
    if kind == ExclusionKind.TIMEOUT:
        if duration is None or not profile.timeout_min <= duration <= profile.timeout_max:
            raise ApplicationError("A time-out lasts from 24 hours to 6 weeks.", code="period")
    elif kind == ExclusionKind.SELF_EXCLUSION:
        if duration is None:
            if not profile.exclusion_indefinite:
                raise ApplicationError("This market does not allow indefinite self-exclusion.", code="period")
        elif not profile.exclusion_min <= duration <= profile.exclusion_max:
            raise ApplicationError("A self-exclusion lasts from 6 months to 5 years, or is indefinite.", code="period")
    else:
        raise ApplicationError("Unknown exclusion kind.", code="invalid")


def _until(ends_at: datetime | None) -> str:
    return "indefinitely" if ends_at is None else f"until {ends_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def rg_exclusion_confirmation(*, player, kind: str, duration: timedelta | None, duration_label: str = "",
                              at: datetime | None = None) -> str:
    """What staff confirm before starting an exclusion, with its end date (refuses a period the market does
    not allow, like :func:`rg_exclusion_start`)."""
    _exclusion_check(player, kind, duration)
    at = at or timezone.now()
    length = f" for {duration_label}" if duration is not None and duration_label else ""
    return (f"{ExclusionKind(kind).label}{length}, {_until(None if duration is None else at + duration)}; "
            "it starts when you confirm and cannot be lifted early.")


@transaction.atomic
def rg_exclusion_start(*, player, kind: str, duration: timedelta | None, actor=None, reason: str = "",
                       at: datetime | None = None) -> RgExclusion:
    """Start a time-out or a self-exclusion now. ``duration=None``: indefinite (self-exclusion only).

    Calls the ``players.exclusion_started`` hook (players/hooks.py) in the same transaction: other modules end
    sessions and cancel pending bonuses there.
    """
    at = at or timezone.now()
    player = _lock_player(player)
    _exclusion_check(player, kind, duration)
    exclusion = RgExclusion.objects.create(player=player, kind=kind, starts_at=at,
                                           ends_at=None if duration is None else at + duration,
                                           reason=reason, actor=actor if getattr(actor, "pk", None) else None)
    exclusion_started(player=player, exclusion=exclusion, actor=actor)
    until = "indefinitely" if exclusion.ends_at is None else f"until {exclusion.ends_at:%Y-%m-%d %H:%M} UTC"
    timeline_record(player_id=player.pk, kind=f"players.{kind}", summary=f"{exclusion.get_kind_display()} {until}",
                    actor=actor, occurred_at=at, ref_type="players.rgexclusion", ref_id=str(exclusion.pk))
    audit_record(actor=actor, action=f"player.{kind}", target=player, reason=reason,
                 after=snapshot(exclusion, fields=["kind", "starts_at", "ends_at"]))
    return exclusion


@transaction.atomic
def rg_reality_check_set(*, player, minutes: int | None, actor=None, reason: str = "") -> Player:
    player = _lock_player(player)
    profile = player.rg_profile
    if minutes is not None and not profile.reality_check_min_minutes <= minutes <= profile.reality_check_max_minutes:
        raise ApplicationError(f"The interval must be between {profile.reality_check_min_minutes} and "
                               f"{profile.reality_check_max_minutes} minutes.", code="invalid")
    before = player.reality_check_minutes
    if before == minutes:
        return player
    player.reality_check_minutes = minutes
    player.save(update_fields=["reality_check_minutes"])
    shown = f"every {minutes} min" if minutes else "market default"
    timeline_record(player_id=player.pk, kind="players.reality_check", summary=f"Reality check: {shown}", actor=actor)
    audit_record(actor=actor, action="player.reality_check", target=player, before={"reality_check_minutes": before},
                 after={"reality_check_minutes": minutes}, reason=reason)
    return player


def rg_overview(*, player, user, at: datetime | None = None) -> dict:
    """What the limits tab shows to ``user`` (selector): limits with usage and pending increases, when it may
    view limits, and the exclusions in force, when it may view exclusions (None for what it may not view)."""
    at = at or timezone.now()
    overview = {"limits": None, "states": None, "pending": None, "active_exclusions": None,
                "profile": player.rg_profile, "at": at}
    if RgLimit.objects.can(user, "view"):
        rows = list(RgLimit.objects.restrict(user, "view").filter(player=player))
        states = {(s.kind, s.period): s for s in limit_states(player.pk, at)}
        overview.update(limits=rows,
                        states=sorted(states.values(), key=lambda s: (s.kind, list(WINDOWS).index(s.period))),
                        pending=[r for r in rows if r.has_pending and not r.pending_matured(at)])
    if RgExclusion.objects.can(user, "view"):
        overview["active_exclusions"] = active_exclusions(player.pk, at)
    return overview
