"""The check every money path calls (rg_check), the limits and exclusions in force, and the usage it reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from backoffice.money import format_money, to_decimal
from players.choices import ExclusionKind, LimitKind, LimitPeriod, PlayerStatus, UsageKind
from players.models import RgExclusion, limit_effective_amount

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
