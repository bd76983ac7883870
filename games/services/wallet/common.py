"""The wallet's shared pieces: the contract's errors and answers, lookups, locks, the write helpers, the fast path.

The operations are in :mod:`games.services.wallet.operations`; the package docstring tells the transaction model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from backoffice.db import prepared_fetchone
from backoffice.money import CURRENCY_EXPONENTS, quantize
from cashier.choices import AccountKind
from cashier.models import Account
from cashier.services import IdempotencyConflict, accounts_lock, ledger_post, player_account, player_balances
from games.choices import WalletTxKind
from games.models import GameSession, Provider, Round, WalletTransaction
from games.services.sessions import game_session_touch
from players.services import rg_usage_record, timeline_record

ZERO = Decimal(0)
BLOCKING_RG_CODES = {"self_excluded", "timed_out", "blocked"}


class WalletError(Exception):
    """A refusal in the contract's terms: ``code`` from the error table, HTTP status, optional balance."""

    def __init__(self, code: str, message: str, *, http_status: int = 200, balances: dict | None = None):
        super().__init__(message)
        self.code, self.message, self.http_status, self.balances = code, message, http_status, balances


class _Retry(Exception):
    """A concurrent request with the same transaction id committed first: answer from it."""


@dataclass
class Balances:
    cash: Decimal
    bonus: Decimal

    @property
    def total(self) -> Decimal:
        return self.cash + self.bonus


_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators=...) output, one encoder


def _fingerprint(*parts) -> str:
    """The request's payload hash. The player is not part of it: a replay is compared on hash AND player."""
    return hashlib.sha256(_COMPACT_JSON.encode([str(p) for p in parts]).encode()).hexdigest()


def _amount_key(amount: Decimal) -> str:
    return str(amount.normalize()) if amount else "0"


# --- Lookups ---------------------------------------------------------------------------------------

def _session(provider: Provider, token: str, *, money_in: bool) -> GameSession:
    """The session of ``token``. Expired sessions are refused only for bets, authenticate and balance."""
    session = (GameSession.objects.select_related("player", "jurisdiction")
               .filter(token=token, provider_id=provider.pk).first())
    if session is None:
        raise WalletError("INVALID_TOKEN", "Unknown game-session token.")
    if money_in:
        _session_live(session)
    return session


def _session_live(session: GameSession) -> None:
    """Refuse an expired or closed session (bets, authenticate, balance); else slide its idle expiry."""
    now = timezone.now()
    if session.closed_at is not None or session.expires_at <= now:  # rule: session.live
        raise WalletError("TOKEN_EXPIRED", "The game session has expired.")
    game_session_touch(session, now=now)


def _accounts(player):
    """The player's cash and bonus accounts: one query when both exist (the hot path), else created."""

    found = {a.kind: a for a in Account.objects.filter(player_id=player.pk, kind__in=[AccountKind.PLAYER_CASH,
                                                                                      AccountKind.PLAYER_BONUS])}
    cash = found.get(AccountKind.PLAYER_CASH) or player_account(player=player, kind=AccountKind.PLAYER_CASH)
    bonus = found.get(AccountKind.PLAYER_BONUS) or player_account(player=player, kind=AccountKind.PLAYER_BONUS)
    return cash, bonus


def _lock(cash_acc, bonus_acc) -> Balances:
    locked = accounts_lock(accounts=[cash_acc, bonus_acc])
    return Balances(locked[cash_acc.pk], locked[bonus_acc.pk])


def balances_get(player) -> Balances:
    b = player_balances(player=player)
    return Balances(b["cash"], b["bonus"])


def _ok(session_or_player, balances: Balances, tx: WalletTransaction | None = None) -> dict:
    player = getattr(session_or_player, "player", session_or_player)
    return _answer(player.pk, player.currency, balances, tx.pk if tx is not None else None)


def _answer(player_id: int, currency: str, balances: Balances, tx_id: int | None) -> dict:
    """The contract's success body (``transaction_id``: the operator's id, on money operations)."""
    body = {"status": "OK", "player_id": str(player_id), "currency": currency,
            "balance": _money(balances.total, currency), "cash": _money(balances.cash, currency),
            "bonus": _money(balances.bonus, currency)}
    if tx_id is not None:
        body["transaction_id"] = str(tx_id)
    return body


def _money(amount: Decimal, currency: str) -> str:
    return str(quantize(amount, currency))


def _replay(provider: Provider, tx_ref: str, fingerprint: str, player) -> dict | None:
    """rule: replay. The original answer when ``tx_ref`` was already used with this payload; DUPLICATE when not."""
    existing = WalletTransaction.objects.filter(provider_id=provider.pk, tx_ref=tx_ref).first()
    if existing is None:
        return None
    if existing.request_hash != fingerprint or existing.player_id != player.pk:
        raise WalletError("DUPLICATE_TRANSACTION",
                          "This transaction_id was already used with a different payload.",
                          balances=balances_get(player))
    return _ok(player, balances_get(player), existing)


def _run(provider, tx_ref, fingerprint, player, body):
    """Run ``body`` in one transaction; on a lost race with the same ids, answer from the winner or retry once.

    No savepoints inside: a unique violation (same transaction id or round id inserted concurrently by
    another player's request) aborts the whole transaction, which is rolled back here and re-evaluated.
    """

    for attempt in range(2):
        try:
            with transaction.atomic():
                return body()
        except WalletError as refusal:
            # Refusals are checked before the id (the common path costs no extra query); a refused request
            # whose id was used before is a replay (the original answer) or a DUPLICATE_TRANSACTION.
            if refusal.code == "INTERNAL_RETRY":
                raise
            answer = _replay(provider, tx_ref, fingerprint, player)
            if answer is not None:
                return answer
            raise
        except (_Retry, IdempotencyConflict, IntegrityError):
            answer = _replay(provider, tx_ref, fingerprint, player)
            if answer is not None:
                return answer
            if attempt:
                raise WalletError("INTERNAL_RETRY", "A concurrent request collided; retry.", http_status=500) from None
    raise AssertionError("unreachable")


def _seen(provider: Provider, tx_ref: str, fingerprint: str, player, *, bet: bool = False):
    """After the player lock: raise _Retry if ``tx_ref`` exists (answered from it); for a bet, whether a rollback
    already named its id. Two lookups, each by its own index's whole key (as games/0007 does in SQL): one query
    with an OR read every wallet transaction of the provider on a new installation's statistics."""
    if WalletTransaction.objects.filter(provider_id=provider.pk, tx_ref=tx_ref).exists():
        raise _Retry()
    return bet and WalletTransaction.objects.filter(provider_id=provider.pk, kind=WalletTxKind.ROLLBACK,
                                                    ref_tx=tx_ref).exists()


def _insert_tx(**fields) -> WalletTransaction:
    return WalletTransaction.objects.create(**fields)


def _round_for_update(provider: Provider, round_ref: str) -> Round | None:
    return Round.objects.select_for_update(no_key=True).filter(provider_id=provider.pk, round_ref=round_ref).first()


def _post(*, key: str, kind: str, lines, reference: str, provider: Provider) -> int | None:
    lines = [(acc, amt) for acc, amt in lines if amt]
    if not lines:
        return None  # a free round moves no money: nothing to post
    result = ledger_post(idempotency_key=key, kind=kind, lines=lines, integration=f"provider:{provider.code}",
                         reference=reference)
    if not result.created:
        raise _Retry()
    return result.transaction_id


def _timeline(*, player, kind: str, summary: str, amount: Decimal, round_: Round | None, provider: Provider,
              data: dict) -> None:
    timeline_record(player_id=player.pk, kind=kind, summary=summary, amount=amount, currency=player.currency,
                    integration=f"provider:{provider.code}", ref_type="games.round" if round_ else "",
                    ref_id=str(round_.pk) if round_ else "", data=data)


def _rg_usage(player, kind: str, amount: Decimal) -> None:
    if amount:
        rg_usage_record(player_id=player.pk, kind=kind, amount=amount)


# --- The fast path (games/sql/games_wallet_bet.sql, _win.sql, _rollback.sql) -------------------------

_FAST_SQL = {  # fixed function names and placeholders only
    name: f"SELECT outcome, player_id, currency, cash, bonus, tx_id FROM {name}({', '.join(['%s'] * n)})"  # noqa: S608
    for name, n in (("games_wallet_bet", 14), ("games_wallet_win", 14), ("games_wallet_rollback", 11))}
_EXPONENTS = json.dumps(CURRENCY_EXPONENTS)  # for the rollback's timeline text (the request names no currency)


def _fast(function: str, params: list) -> dict | None:
    """The operation's common case as one server-side call; None when the general path must decide.

    One prepared statement (``backoffice.db.prepared_fetchone``): in autocommit, the API's normal state, one
    round trip with its commit. Any database refusal (a concurrent duplicate's unique violation, a ledger
    replay) hands over to the general path, which answers it from the committed original. No per-request
    connection health check (a ``SELECT 1`` round trip, ~8% of the API's throughput): after a database restart
    the first call on a stale connection answers INTERNAL_RETRY, which the contract tells the provider to
    retry, and the connection is replaced at the end of that request.
    """
    if not settings.WALLET_FAST_PATH:
        return None
    try:
        row = prepared_fetchone(_FAST_SQL[function], params, health_check=False)
    except DatabaseError:
        if connection.connection is None or not connection.is_usable():
            raise
        return None
    outcome, player_id, currency, cash, bonus, tx_id = row
    if outcome == "fallback":
        return None
    balances = Balances(cash, bonus)
    if outcome == "insufficient":
        raise WalletError("INSUFFICIENT_FUNDS", "The bet exceeds the balance.", balances=balances)
    return _answer(player_id, currency, balances, tx_id)
