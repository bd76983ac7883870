"""The ledger's posting service and account lookups (the cross-app contract).

Locking rules: ``ledger_post`` locks every account it touches with ``SELECT ... FOR NO KEY UPDATE``
in ascending id order, checks the limits on the locked balances, then writes the entries and the cached
balances, all inside one server-side function call (``cashier_post``, migration 0006). ``NO KEY``
because inserting an entry takes a KEY SHARE lock on its account row (the foreign key), which a plain
FOR UPDATE would conflict with.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _json_string

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from backoffice.db import prepared_fetchone
from backoffice.exceptions import ApplicationError
from backoffice.money import currency_exponent, has_valid_precision, to_decimal
from backoffice.services import audit_record
from cashier.choices import PLAYER_KINDS, AccountKind
from cashier.constants import DEFAULT_SYSTEM_SHARDS, UNSHARDED_KINDS
from cashier.models import Account, LedgerTransaction


class IdempotencyConflict(ApplicationError):
    def __init__(self, message: str = "This idempotency key was already used for a different posting.", **kw):
        kw.setdefault("code", "idempotency_conflict")
        super().__init__(message, **kw)


class InsufficientFunds(ApplicationError):
    def __init__(self, message: str = "Insufficient funds.", **kw):
        kw.setdefault("code", "insufficient_funds")
        super().__init__(message, **kw)


class InvalidPosting(ApplicationError):
    def __init__(self, message: str, **kw):
        kw.setdefault("code", "invalid_posting")
        super().__init__(message, **kw)


class PostResult:
    """What ``ledger_post`` did: ``transaction`` and whether this call ``created`` it (False: a replay).

    A created posting's ``LedgerTransaction`` is built from what was posted (no query) on first access of
    ``transaction``: building a model instance (~13 us) costs about as much client CPU as the rest of the
    posting's own Python, and callers that only need the id read ``transaction_id``.
    """

    __slots__ = ("_fields", "_transaction", "created", "transaction_id")

    def __init__(self, transaction: LedgerTransaction | None, created: bool, *, fields: dict | None = None):
        self.created = created
        self._transaction, self._fields = transaction, fields
        self.transaction_id = transaction.pk if transaction is not None else fields["id"]

    @property
    def transaction(self) -> LedgerTransaction:
        if self._transaction is None:
            tx = LedgerTransaction(**self._fields)
            tx._state.adding, tx._state.db = False, "default"
            self._transaction = tx
        return self._transaction

    def __repr__(self) -> str:
        return f"PostResult(transaction_id={self.transaction_id}, created={self.created})"


# --- Accounts ---------------------------------------------------------------------------------------

def _player_credit_limit(player, kind: str) -> Decimal | None:
    if kind == AccountKind.PLAYER_CREDIT:
        return Decimal(getattr(player, "credit_limit", 0) or 0)
    return Decimal(0)


def player_account(*, player, kind: str) -> Account:
    """The player's account of ``kind`` in the player's currency, created on first use."""
    if kind not in PLAYER_KINDS:
        raise InvalidPosting(f"{kind!r} is not a player account kind.")
    account = Account.objects.filter(player_id=player.pk, kind=kind).first()
    if account is not None:
        if kind == AccountKind.PLAYER_CREDIT:
            _credit_limit_sync(account, _player_credit_limit(player, kind))
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(player_id=player.pk, kind=kind, currency=player.currency,
                                          credit_limit=_player_credit_limit(player, kind))
    except IntegrityError:  # created concurrently
        return Account.objects.get(player_id=player.pk, kind=kind)


# (kind, currency, shard) -> Account. System accounts are never deleted and never change identity (a
# trigger refuses it), so a process may keep them. Cleared after a flush (post_migrate, e.g. between
# transactional tests) and when a posting names an account that no longer exists.
_SYSTEM_CACHE: dict[tuple[str, str, int], Account] = {}


def system_accounts_cache_clear(**kwargs) -> None:
    _SYSTEM_CACHE.clear()


def _credit_limit_sync(account: Account, wanted: Decimal) -> None:
    """A credit line follows the player's credit limit (set in the players module). A lower limit than
    what is already drawn applies only down to the drawn amount (the CHECK constraint would refuse it);
    no further drawing is possible until it is repaid."""
    wanted = max(wanted, -account.balance)
    if account.credit_limit != wanted:
        Account.objects.filter(pk=account.pk).update(credit_limit=wanted)
        account.credit_limit = wanted


def system_shards(kind: str) -> int:
    if kind in UNSHARDED_KINDS:
        return 1
    return max(1, int(getattr(settings, "CASHIER_SYSTEM_SHARDS", DEFAULT_SYSTEM_SHARDS)))


def _system_limit(kind: str) -> Decimal | None:
    return Decimal(0) if kind in UNSHARDED_KINDS else None


def house_account(*, currency: str, kind: str = AccountKind.HOUSE) -> Account:
    """A system account of ``kind`` in ``currency``: one of its shards, picked at random.

    Spreading postings over shards is the hot-account design (see cashier.models): callers never need
    to know which shard they got; reports sum the shards.
    """
    if kind in PLAYER_KINDS:
        raise InvalidPosting(f"{kind!r} is a player account kind.")
    currency_exponent(currency)
    shard = random.randrange(system_shards(kind))
    key = (kind, currency, shard)
    account = _SYSTEM_CACHE.get(key)
    if account is not None:
        return account
    account = Account.objects.filter(player__isnull=True, kind=kind, currency=currency, shard=shard).first()
    if account is not None:
        if not connection.in_atomic_block:  # committed rows only: a rolled-back creation is never cached
            _SYSTEM_CACHE[key] = account
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, currency=currency, shard=shard, credit_limit=_system_limit(kind))
    except IntegrityError:
        return Account.objects.get(player__isnull=True, kind=kind, currency=currency, shard=shard)


def system_balance(*, currency: str, kind: str = AccountKind.HOUSE) -> Decimal:
    """The balance of a system account kind: the sum of its shards (at most a few rows)."""

    total = Account.objects.filter(player__isnull=True, kind=kind, currency=currency).aggregate(s=Sum("balance"))["s"]
    return total or Decimal(0)


def accounts_lock(*, accounts) -> dict[int, Decimal]:
    """Lock ``accounts`` (FOR NO KEY UPDATE, ascending id) in the caller's transaction; {id: balance}."""
    ids = sorted({a.pk if isinstance(a, Account) else int(a) for a in accounts})
    if not ids:
        return {}
    with connection.cursor() as cur:
        cur.execute("SELECT id, balance FROM cashier_account WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                    [ids])
        return dict(cur.fetchall())


def player_balances(*, player) -> dict[str, Decimal]:
    """{"cash": ..., "bonus": ..., "credit": ...}: the cached balances (zero for accounts not opened yet)."""
    names = {AccountKind.PLAYER_CASH: "cash", AccountKind.PLAYER_BONUS: "bonus", AccountKind.PLAYER_CREDIT: "credit"}
    result = {name: Decimal("0") for name in names.values()}
    for kind, balance in Account.objects.filter(player_id=player.pk).values_list("kind", "balance"):
        result[names[kind]] = balance
    return result


# --- Posting ----------------------------------------------------------------------------------------

def _logical_account(account: Account) -> str:
    # System accounts are compared by kind and currency, not by shard: a replay may draw another shard.
    return str(account.pk) if account.player_id else f"{account.kind}:{account.currency}"


def _payload_hash(kind: str, lines: list[tuple[Account, Decimal]]) -> str:
    # sha256 of the JSON text ``[kind,[[account,amount],...]]`` (compact, sorted by account, zero totals left
    # out), amounts in plain notation without trailing zeros ("20", "0.5"), so that SQL callers of
    # cashier_post() (the wallet's fast path, games_ledger_payload_hash) compute the same hash with
    # trim_scale(). Written out rather than json.dumps(..., separators=...) (a new encoder per call); the
    # strings go through json's own ASCII string encoder, so the text is byte for byte json.dumps's.
    totals: dict[str, Decimal] = {}
    for account, amount in lines:
        key = _logical_account(account)
        totals[key] = totals[key] + amount if key in totals else amount
    legs = ",".join(f"[{_json_string(key)},{_json_string(format(total.normalize(), 'f'))}]"
                    for key, total in sorted(totals.items()) if total != 0)
    return hashlib.sha256(f"[{_json_string(kind)},[{legs}]]".encode()).hexdigest()


_AMOUNT_LIMIT = Decimal(10) ** 15


def _validated_lines(lines) -> list[tuple[Account, Decimal]]:
    if not lines or len(lines) < 2:
        raise InvalidPosting("A posting needs at least two lines.")
    clean, totals = [], {}
    for account, raw in lines:
        if not isinstance(account, Account) or account.pk is None:
            raise InvalidPosting("Every line needs a saved Account.")
        try:
            amount = to_decimal(raw)
        except (TypeError, ValueError) as exc:
            raise InvalidPosting(str(exc)) from None
        if amount == 0:
            raise InvalidPosting("A line amount must not be zero.")
        if abs(amount) >= _AMOUNT_LIMIT:
            raise InvalidPosting("Amount out of range.")
        currency = account.currency
        if not has_valid_precision(amount, currency):
            raise InvalidPosting(f"{amount} has more decimals than {currency} allows.")
        totals[currency] = totals[currency] + amount if currency in totals else amount
        clean.append((account, amount))
    unbalanced = {cur: str(total) for cur, total in totals.items() if total != 0}
    if unbalanced:
        raise InvalidPosting(f"Lines do not sum to zero per currency: {unbalanced}.")
    return clean


def _raise_refusal(exc: DatabaseError) -> None:
    """Turn ``cashier_post``'s refusals (``RAISE 'cashier:<what>:...'``) into the service's exceptions."""
    message = str(exc).split("\n", 1)[0]
    if not message.startswith("cashier:"):
        return
    _, what, *rest = message.split(":")
    if what == "conflict":
        raise IdempotencyConflict(extra={"transaction_id": int(rest[0])}) from None
    if what == "insufficient":
        account_id, balance, limit = int(rest[0]), Decimal(rest[1]), Decimal(rest[2])
        raise InsufficientFunds(extra={"balance": balance, "account_id": account_id,
                                       "available": balance + limit}) from None
    if what == "currency":
        raise InvalidPosting("An account's currency does not match the line.") from None
    if what == "unknown_account":
        _SYSTEM_CACHE.clear()
        raise InvalidPosting("A line names an account that does not exist.") from None


_POST_SQL = ("SELECT tx_id, status FROM cashier_post(%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s::bigint[], "
             "%s::numeric[], %s::text[], %s)")


def _array_literal(values) -> str:
    """``{a,b}``: the posting's arrays as text (ints, Decimals, currency codes: nothing to quote). psycopg's
    list adaptation inspects every element to pick a type; the SQL casts (``::bigint[]``) make that moot."""
    return "{" + ",".join(values) + "}"


def ledger_post(*, idempotency_key: str, kind: str, lines: Sequence[tuple[Account, Decimal]], actor=None,
                integration: str = "", reference: str = "", metadata: dict | None = None,
                reverses: LedgerTransaction | None = None) -> PostResult:
    """Post one balanced transaction in the caller's transaction (a savepoint when one is open).

    Same key and same lines: the original transaction, ``created=False``, nothing moves. Same key and
    different lines: :class:`IdempotencyConflict`. A balance beyond its limit: :class:`InsufficientFunds`
    and nothing is written. The database work is one call of ``cashier_post()`` (cashier/sql/cashier_post.sql).
    """
    if not idempotency_key or len(idempotency_key) > 200:
        raise InvalidPosting("An idempotency key of 1 to 200 characters is required.")
    if not kind or len(kind) > 64:
        raise InvalidPosting("A kind of 1 to 64 characters is required.")
    clean = _validated_lines(lines)
    digest = _payload_hash(kind, clean)
    now = timezone.now()
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    reference, integration = reference[:200], integration[:64]
    params = [idempotency_key, kind, digest, reference, actor_id, integration,
              json.dumps(metadata, default=str) if metadata else "{}", reverses.pk if reverses else None,
              _array_literal([str(int(a.pk)) for a, _ in clean]), _array_literal([str(amount) for _, amount in clean]),
              _array_literal([a.currency for a, _ in clean]), now]
    try:  # a savepoint inside a caller's transaction: a refusal must not abort it
        tx_id, status = prepared_fetchone(_POST_SQL, params)
    except DatabaseError as exc:
        _raise_refusal(exc)
        raise
    if status == "replay":
        return PostResult(LedgerTransaction.objects.get(pk=tx_id), False)
    return PostResult(None, True, fields={
        "id": tx_id, "idempotency_key": idempotency_key, "kind": kind, "payload_hash": digest, "reference": reference,
        "actor_id": actor_id, "integration": integration, "metadata": metadata or {}, "reverses": reverses,
        "created_at": now})


def ledger_reverse(*, transaction_id: int, actor=None, integration: str = "", reason: str = "") -> PostResult:
    """Post the mirror image of a transaction (the only way to correct one). Idempotent per original."""

    with transaction.atomic():
        original = LedgerTransaction.objects.get(pk=transaction_id)
        lines = [(e.account, -e.amount) for e in original.entries.select_related("account")]
        result = ledger_post(idempotency_key=f"reversal:{original.pk}", kind="cashier.reversal", lines=lines,
                             actor=actor, integration=integration, reference=original.reference,
                             metadata={"reverses": original.pk, "reason": reason}, reverses=original)
        if result.created:
            audit_record(actor=actor, integration=integration, action="ledger.reverse", target=original,
                         after={"reversal_id": result.transaction.pk}, reason=reason)
        return result
