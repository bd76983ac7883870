"""The seamless-wallet operations (docs/wallet-api.md): authenticate, balance, bet, win, rollback, end-round.

Every money operation is ONE database transaction holding: the lock on the player's cash and bonus
accounts (``accounts_lock``, which serializes a player's calls and makes RG check + usage atomic), the
``WalletTransaction`` row (unique per provider transaction id: the idempotency record), the round
update, the cashier ledger posting (``ledger_post``, idempotency key ``games:<provider>:<tx id>``),
the RG usage and the timeline row. A refusal raises :class:`WalletError` inside the transaction, so
nothing is written.

Idempotency under concurrency: a repeat is detected before the lock (fast path) and again after it
(the player lock serializes duplicates of the same player). Duplicates that name another player are
caught by the unique constraint or the ledger's idempotency key; the transaction is then rolled back
and the request answered from the committed original.

The audit log is not written per wallet call: the wallet transaction rows, rounds and ledger entries
are the record of these integration events (the audit chain's global lock would serialize every bet).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from backoffice.db import prepared_fetchone
from backoffice.money import CURRENCY_EXPONENTS, currency_exponent
from cashier.choices import AccountKind
from cashier.services.ledger import system_shards
from games.choices import RoundStatus, WalletTxKind, WalletTxStatus
from games.hooks import bonus_max_bet_check, bonus_rules_installed
from games.models import Game, GameSession, Provider, Round, WalletTransaction
from games.services.catalogue import game_session_touch

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
    if session.closed_at is not None or session.expires_at <= now:
        raise WalletError("TOKEN_EXPIRED", "The game session has expired.")
    game_session_touch(session, now=now)


def _accounts(player):
    """The player's cash and bonus accounts: one query when both exist (the hot path), else created."""
    from cashier.choices import AccountKind
    from cashier.models import Account
    from cashier.services import player_account

    found = {a.kind: a for a in Account.objects.filter(player_id=player.pk, kind__in=[AccountKind.PLAYER_CASH,
                                                                                      AccountKind.PLAYER_BONUS])}
    cash = found.get(AccountKind.PLAYER_CASH) or player_account(player=player, kind=AccountKind.PLAYER_CASH)
    bonus = found.get(AccountKind.PLAYER_BONUS) or player_account(player=player, kind=AccountKind.PLAYER_BONUS)
    return cash, bonus


def _lock(cash_acc, bonus_acc) -> Balances:
    from cashier.services import accounts_lock

    locked = accounts_lock(accounts=[cash_acc, bonus_acc])
    return Balances(locked[cash_acc.pk], locked[bonus_acc.pk])


def balances_get(player) -> Balances:
    from cashier.services import player_balances

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
    from backoffice.money import quantize

    return str(quantize(amount, currency))


def _replay(provider: Provider, tx_ref: str, fingerprint: str, player) -> dict | None:
    """The original answer when ``tx_ref`` was already used with this payload; DUPLICATE when not."""
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
    from cashier.services import IdempotencyConflict

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
    from cashier.services import ledger_post

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
    from players.services import timeline_record

    timeline_record(player_id=player.pk, kind=kind, summary=summary, amount=amount, currency=player.currency,
                    integration=f"provider:{provider.code}", ref_type="games.round" if round_ else "",
                    ref_id=str(round_.pk) if round_ else "", data=data)


def _rg_usage(player, kind: str, amount: Decimal) -> None:
    from players.services import rg_usage_record

    if amount:
        rg_usage_record(player_id=player.pk, kind=kind, amount=amount)


# --- The fast path (games/migrations/0003_wallet_fast_path.py) --------------------------------------

_FAST_SQL = {  # fixed function names and placeholders only
    name: f"SELECT outcome, player_id, currency, cash, bonus, tx_id FROM {name}({', '.join(['%s'] * n)})"  # noqa: S608
    for name, n in (("games_wallet_bet", 15), ("games_wallet_win", 14), ("games_wallet_rollback", 11))}
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


# --- Operations ------------------------------------------------------------------------------------

def wallet_authenticate(*, provider: Provider, token: str) -> dict:
    """The balance, plus the session's ``game_id`` (an additive field: the game the session was opened for)."""
    session = _session(provider, token, money_in=True)
    body = _ok(session, balances_get(session.player))
    body["game_id"] = Game.objects.filter(pk=session.game_id).values_list("external_id", flat=True).first()
    return body


def wallet_balance(*, provider: Provider, token: str) -> dict:
    session = _session(provider, token, money_in=True)
    return _ok(session, balances_get(session.player))


def wallet_bet(*, provider: Provider, token: str, tx_ref: str, round_ref: str, game_ref: str, amount: Decimal,
               currency: str, round_closed: bool = False) -> dict:
    fingerprint = _fingerprint("bet", round_ref, game_ref, _amount_key(amount), currency)
    answer = _fast("games_wallet_bet", [
        provider.pk, provider.code, token, tx_ref, round_ref, game_ref, amount, currency, round_closed, fingerprint,
        timezone.now(), settings.GAME_SESSION_IDLE_SECONDS, system_shards(AccountKind.HOUSE),
        currency_exponent(currency), bonus_rules_installed()])
    if answer is not None:
        return answer
    session = _session(provider, token, money_in=False)
    player = session.player

    def body():
        from players.services import rg_check


        if currency != session.currency:
            raise WalletError("WRONG_CURRENCY", f"The session's currency is {session.currency}.")
        approved = Game.jurisdictions.through.objects.filter(game_id=OuterRef("pk"),
                                                             jurisdiction_id=session.jurisdiction_id)
        game = (Game.objects.filter(provider_id=provider.pk, external_id=game_ref)
                .annotate(approved=Exists(approved)).first())
        if game is None or not game.is_active:
            raise WalletError("INVALID_GAME", "Unknown or inactive game.")
        if not game.approved:
            raise WalletError("INVALID_GAME", "This game is not available in the player's jurisdiction.")
        cash_acc, bonus_acc = _accounts(player)
        bal = _lock(cash_acc, bonus_acc)
        if _seen(provider, tx_ref, fingerprint, player, bet=True):
            raise WalletError("BET_ROLLED_BACK", "A rollback for this transaction_id was received before the bet.",
                              balances=bal)
        decision = rg_check(player=player, action="bet", amount=amount)
        if not decision.allowed:
            code = "PLAYER_BLOCKED" if decision.code in BLOCKING_RG_CODES else "LIMIT_REACHED"
            raise WalletError(code, decision.message or "Responsible-gambling rules refuse this bet.", balances=bal)
        _session_live(session)  # after the RG check: an excluded player's ended session answers PLAYER_BLOCKED
        if amount > bal.total:
            raise WalletError("INSUFFICIENT_FUNDS", "The bet exceeds the balance.", balances=bal)
        cash_part = min(amount, max(bal.cash, ZERO))
        bonus_part = amount - cash_part
        refusal = bonus_max_bet_check(player=player, game=game, amount=amount, bonus_part=bonus_part)
        if refusal:
            raise WalletError("LIMIT_REACHED", refusal, balances=bal)
        round_ = _round_for_update(provider, round_ref)
        if round_ is not None:
            if round_.player_id != player.pk or round_.game_id != game.pk:
                raise WalletError("WRONG_SYNTAX", "round_id belongs to another player or game.", balances=bal)
            if round_.status != RoundStatus.OPEN:
                raise WalletError("WRONG_SYNTAX", "The round is closed.", balances=bal)
        from cashier.services import house_account

        ledger_id = _post(key=f"games:{provider.code}:{tx_ref}", kind="games.bet", provider=provider,
                          reference=f"round:{provider.code}:{round_ref}"[:200],
                          lines=[(cash_acc, -cash_part), (bonus_acc, -bonus_part),
                                 (house_account(currency=currency) if amount else None, amount)])
        closed = {"status": RoundStatus.COMPLETE, "closed_at": timezone.now()} if round_closed else {}
        if round_ is None:  # a new round is created with its first bet (a concurrent insert: IntegrityError -> _run)
            round_ = Round.objects.create(provider=provider, round_ref=round_ref, player=player, game=game,
                                          game_version=game.version, session=session, currency=currency,
                                          bet_total=amount, bet_cash=cash_part, bet_bonus=bonus_part, **closed)
        else:
            round_.bet_total += amount
            round_.bet_cash += cash_part
            round_.bet_bonus += bonus_part
            for k, v in closed.items():
                setattr(round_, k, v)
            round_.save(update_fields=["bet_total", "bet_cash", "bet_bonus", *closed])
        after = Balances(bal.cash - cash_part, bal.bonus - bonus_part)
        tx = _insert_tx(provider=provider, tx_ref=tx_ref, kind=WalletTxKind.BET, round=round_, player=player,
                        currency=currency, amount=amount, cash_amount=cash_part, bonus_amount=bonus_part,
                        balance_before=bal.total, balance_after=after.total, cash_after=after.cash,
                        bonus_after=after.bonus, request_hash=fingerprint, ledger_transaction_id=ledger_id)
        _rg_usage(player, "wager", amount)
        _timeline(player=player, kind="games.round", provider=provider, round_=round_, amount=-amount,
                  summary=f"Bet {_money(amount, currency)} {currency} on {game.title} (round {round_ref})",
                  data={"op": "bet", "tx": tx_ref, "cash": str(cash_part), "bonus": str(bonus_part)})
        return _ok(player, after, tx)

    return _run(provider, tx_ref, fingerprint, player, body)


def wallet_win(*, provider: Provider, token: str, tx_ref: str, round_ref: str, game_ref: str, amount: Decimal,
               currency: str, bet_ref: str = "", round_closed: bool = False) -> dict:
    fingerprint = _fingerprint("win", round_ref, game_ref, _amount_key(amount), currency, bet_ref)
    answer = _fast("games_wallet_win", [
        provider.pk, provider.code, token, tx_ref, round_ref, game_ref, amount, currency, bet_ref, round_closed,
        fingerprint, timezone.now(), system_shards(AccountKind.HOUSE), currency_exponent(currency)])
    if answer is not None:
        return answer
    session = _session(provider, token, money_in=False)  # wins are accepted after the session expired
    player = session.player

    def body():
        if currency != session.currency:
            raise WalletError("WRONG_CURRENCY", f"The session's currency is {session.currency}.")
        cash_acc, bonus_acc = _accounts(player)
        bal = _lock(cash_acc, bonus_acc)
        _seen(provider, tx_ref, fingerprint, player)
        round_ = _round_for_update(provider, round_ref)
        if bet_ref:
            bet = WalletTransaction.objects.filter(provider_id=provider.pk, tx_ref=bet_ref,
                                                   kind=WalletTxKind.BET).first()
            if bet is None or bet.player_id != player.pk:
                raise WalletError("TRANSACTION_NOT_FOUND", "bet_transaction_id names no bet of this player.",
                                  balances=bal)
            if bet.status == WalletTxStatus.ROLLED_BACK:
                raise WalletError("BET_ROLLED_BACK", "The bet was rolled back.", balances=bal)
            if round_ is None or bet.round_id != round_.pk:
                raise WalletError("WRONG_SYNTAX", "The bet belongs to another round.", balances=bal)
        if round_ is None or round_.player_id != player.pk:
            raise WalletError("TRANSACTION_NOT_FOUND", "No bet was placed in this round.", balances=bal)
        if round_.game.external_id != game_ref:
            raise WalletError("INVALID_GAME", "The round was played on another game.", balances=bal)
        live_bets = round_.transactions.filter(kind=WalletTxKind.BET, status=WalletTxStatus.OK)
        if not live_bets.exists():
            raise WalletError("BET_ROLLED_BACK", "Every bet of this round was rolled back.", balances=bal)
        net_bet = round_.bet_total - round_.rolled_back
        net_bonus = live_bets.filter(bonus_amount__gt=0).values_list("bonus_amount", flat=True)
        bonus_staked = sum(net_bonus, ZERO)
        from backoffice.money import quantize
        from cashier.services import house_account

        # A win is paid into cash and bonus in the proportion the round's live bets were funded.
        bonus_part = quantize(amount * bonus_staked / net_bet, currency) if net_bet > 0 else ZERO
        bonus_part = min(bonus_part, amount)
        cash_part = amount - bonus_part
        ledger_id = _post(key=f"games:{provider.code}:{tx_ref}", kind="games.win", provider=provider,
                          reference=f"round:{provider.code}:{round_ref}"[:200],
                          lines=[(house_account(currency=currency) if amount else None, -amount),
                                 (cash_acc, cash_part), (bonus_acc, bonus_part)])
        after = Balances(bal.cash + cash_part, bal.bonus + bonus_part)
        tx = _insert_tx(provider=provider, tx_ref=tx_ref, kind=WalletTxKind.WIN, round=round_, player=player,
                        ref_tx=bet_ref, currency=currency, amount=amount, cash_amount=cash_part,
                        bonus_amount=bonus_part, balance_before=bal.total, balance_after=after.total,
                        cash_after=after.cash, bonus_after=after.bonus, request_hash=fingerprint,
                        ledger_transaction_id=ledger_id)
        round_.win_total += amount
        round_.win_cash += cash_part
        round_.win_bonus += bonus_part
        fields = ["win_total", "win_cash", "win_bonus"]
        if round_closed and round_.status in (RoundStatus.OPEN, RoundStatus.INTERRUPTED):
            round_.status, round_.closed_at = RoundStatus.COMPLETE, timezone.now()
            fields += ["status", "closed_at"]
        round_.save(update_fields=fields)
        _rg_usage(player, "win", amount)
        _timeline(player=player, kind="games.round", provider=provider, round_=round_, amount=amount,
                  summary=f"Win {_money(amount, currency)} {currency} on {round_.game.title} (round {round_ref})",
                  data={"op": "win", "tx": tx_ref, "cash": str(cash_part), "bonus": str(bonus_part)})
        return _ok(player, after, tx)

    return _run(provider, tx_ref, fingerprint, player, body)


def wallet_rollback(*, provider: Provider, token: str, tx_ref: str, target_ref: str, round_ref: str,
                    game_ref: str) -> dict:
    fingerprint = _fingerprint("rollback", round_ref, game_ref, target_ref)
    answer = _fast("games_wallet_rollback", [
        provider.pk, provider.code, token, tx_ref, target_ref, round_ref, game_ref, fingerprint, timezone.now(),
        system_shards(AccountKind.HOUSE), _EXPONENTS])
    if answer is not None:
        return answer
    session = _session(provider, token, money_in=False)  # rollbacks are accepted after the session expired
    player = session.player

    def body():
        cash_acc, bonus_acc = _accounts(player)
        bal = _lock(cash_acc, bonus_acc)
        _seen(provider, tx_ref, fingerprint, player)
        target = (WalletTransaction.objects.select_for_update(no_key=True)
                  .filter(provider_id=provider.pk, tx_ref=target_ref).first())
        common = {"provider": provider, "tx_ref": tx_ref, "kind": WalletTxKind.ROLLBACK, "player": player,
                  "ref_tx": target_ref, "currency": player.currency, "balance_before": bal.total,
                  "balance_after": bal.total, "cash_after": bal.cash, "bonus_after": bal.bonus,
                  "request_hash": fingerprint}
        if target is None or target.status == WalletTxStatus.ROLLED_BACK:
            # Unknown: remembered (a late bet with that id is refused). Already rolled back: a no-op.
            round_ = target.round if target is not None else None
            tx = _insert_tx(**common, round=round_, status=WalletTxStatus.NOOP)
            return _ok(player, bal, tx)
        if target.kind != WalletTxKind.BET or target.player_id != player.pk:
            raise WalletError("TRANSACTION_NOT_FOUND", "rollback_transaction_id names no bet of this player.",
                              balances=bal)
        round_ = Round.objects.select_for_update(no_key=True).select_related("game").get(pk=target.round_id)
        if round_.round_ref != round_ref or round_.game.external_id != game_ref:
            raise WalletError("WRONG_SYNTAX", "The bet belongs to another round or game.", balances=bal)
        from cashier.services import house_account

        ledger_id = _post(key=f"games:{provider.code}:{tx_ref}", kind="games.rollback", provider=provider,
                          reference=f"round:{provider.code}:{round_ref}"[:200],
                          lines=[(house_account(currency=target.currency) if target.amount else None, -target.amount),
                                 (cash_acc, target.cash_amount), (bonus_acc, target.bonus_amount)])
        after = Balances(bal.cash + target.cash_amount, bal.bonus + target.bonus_amount)
        tx = _insert_tx(**{**common, "balance_after": after.total, "cash_after": after.cash,
                           "bonus_after": after.bonus},
                        round=round_, amount=target.amount, cash_amount=target.cash_amount,
                        bonus_amount=target.bonus_amount, ledger_transaction_id=ledger_id)
        target.status = WalletTxStatus.ROLLED_BACK
        target.save(update_fields=["status"])
        round_.rolled_back += target.amount
        fields = ["rolled_back"]
        if round_.win_total == 0 and not round_.transactions.filter(kind=WalletTxKind.BET,
                                                                    status=WalletTxStatus.OK).exists():
            round_.status, round_.closed_at = RoundStatus.CANCELLED, timezone.now()
            fields += ["status", "closed_at"]
        round_.save(update_fields=fields)
        _rg_usage(player, "wager", -target.amount)  # the RG contract: a rollback records the negative wager
        _timeline(player=player, kind="games.round", provider=provider, round_=round_, amount=target.amount,
                  summary=f"Bet {target_ref} rolled back: {_money(target.amount, target.currency)} "
                          f"{target.currency} refunded (round {round_.round_ref})",
                  data={"op": "rollback", "tx": tx_ref, "bet": target_ref})
        return _ok(player, after, tx)

    return _run(provider, tx_ref, fingerprint, player, body)


def wallet_end_round(*, provider: Provider, token: str, round_ref: str, game_ref: str) -> dict:
    session = _session(provider, token, money_in=False)
    player = session.player
    with transaction.atomic():
        round_ = _round_for_update(provider, round_ref)
        if round_ is None or round_.player_id != player.pk:
            raise WalletError("TRANSACTION_NOT_FOUND", "Unknown round.", balances=balances_get(player))
        if round_.game.external_id != game_ref:
            raise WalletError("INVALID_GAME", "The round was played on another game.", balances=balances_get(player))
        if round_.status in (RoundStatus.OPEN, RoundStatus.INTERRUPTED):
            round_.status, round_.closed_at = RoundStatus.COMPLETE, timezone.now()
            round_.save(update_fields=["status", "closed_at"])
    return _ok(player, balances_get(player))


def rounds_interrupt_stale(*, older_than_hours: int = 24) -> int:
    """Mark rounds still open after ``older_than_hours`` as interrupted (GLI-19: incomplete games).

    Set-based (one UPDATE). An interrupted round accepts no more bets; the provider may still finish it
    with wins, rollbacks or end-round (which completes it). Returns how many rounds were interrupted.
    """
    from datetime import timedelta

    from backoffice.services import audit_record

    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    with transaction.atomic():
        count = Round.objects.filter(status=RoundStatus.OPEN, opened_at__lt=cutoff).update(
            status=RoundStatus.INTERRUPTED)
        if count:
            audit_record(action="round.interrupt_stale", object_type="games.round", integration="games",
                         after={"rounds": count, "opened_before": cutoff.isoformat()})
    return count
