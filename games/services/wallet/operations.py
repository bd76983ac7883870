"""The seamless-wallet operations: authenticate, balance, bet, win, rollback, end-round (docs/wallet-api.md).

Each money operation tries the fast path first (one SQL call, :func:`~games.services.wallet.common._fast`) and
runs the general path below when that answers ``fallback``. The rules both paths apply are named in
:mod:`games.services.wallet.rules`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from backoffice.money import currency_exponent, quantize
from backoffice.services import audit_record
from cashier.choices import AccountKind
from cashier.services import house_account
from cashier.services.ledger import system_shards
from games.choices import RoundStatus, WalletTxKind, WalletTxStatus
from games.models import Game, Provider, Round, WalletTransaction
from games.services.wallet.bonus import bonus_bet_refusal
from games.services.wallet.common import (
    _EXPONENTS,
    BLOCKING_RG_CODES,
    ZERO,
    Balances,
    WalletError,
    _accounts,
    _amount_key,
    _fast,
    _fingerprint,
    _insert_tx,
    _lock,
    _money,
    _ok,
    _post,
    _rg_usage,
    _round_for_update,
    _run,
    _seen,
    _session,
    _session_live,
    _timeline,
    balances_get,
)
from players.services import rg_check


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
        currency_exponent(currency)])
    if answer is not None:
        return answer
    session = _session(provider, token, money_in=False)
    player = session.player

    def body():
        if currency != session.currency:  # rule: session.currency
            raise WalletError("WRONG_CURRENCY", f"The session's currency is {session.currency}.")
        approved = Game.jurisdictions.through.objects.filter(game_id=OuterRef("pk"),
                                                             jurisdiction_id=session.jurisdiction_id)
        game = (Game.objects.filter(provider_id=provider.pk, external_id=game_ref)
                .annotate(approved=Exists(approved)).first())
        if game is None or not game.is_active:  # rule: game.playable
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
        if amount > bal.total:  # rule: stake.split
            raise WalletError("INSUFFICIENT_FUNDS", "The bet exceeds the balance.", balances=bal)
        cash_part = min(amount, max(bal.cash, ZERO))  # rule: stake.split
        bonus_part = amount - cash_part
        refusal = bonus_bet_refusal(player=player, game=game, amount=amount, cash_part=cash_part,
                                    bonus_part=bonus_part)  # rule: bonus.rules
        if refusal:
            raise WalletError("LIMIT_REACHED", refusal, balances=bal)
        round_ = _round_for_update(provider, round_ref)
        if round_ is not None:  # rule: round.open
            if round_.player_id != player.pk or round_.game_id != game.pk:
                raise WalletError("WRONG_SYNTAX", "round_id belongs to another player or game.", balances=bal)
            if round_.status != RoundStatus.OPEN:
                raise WalletError("WRONG_SYNTAX", "The round is closed.", balances=bal)

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

        # rule: win.split. A win is paid into cash and bonus in the proportion the round's live bets were funded.
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


    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    with transaction.atomic():
        count = Round.objects.filter(status=RoundStatus.OPEN, opened_at__lt=cutoff).update(
            status=RoundStatus.INTERRUPTED)
        if count:
            audit_record(action="round.interrupt_stale", object_type="games.round", integration="games",
                         after={"rounds": count, "opened_before": cutoff.isoformat()})
    return count
