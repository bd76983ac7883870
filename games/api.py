"""HTTP layer of the seamless-wallet API and the lobby endpoint (the contract: docs/wallet-api.md).

Order of checks for a wallet call: provider (unknown or inactive: 401), body size, signature over the
raw bytes and timestamp skew (401), content type, UTF-8, strict JSON, fields. Only then is anything
read from the player's wallet. Every answer is JSON; an unexpected failure is INTERNAL_RETRY (500)
with nothing moved (the service's transaction rolled back).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from backoffice.exceptions import ApplicationError
from backoffice.handlers import plain_lane
from backoffice.money import CURRENCY_EXPONENTS, has_valid_precision, quantize
from games import services
from games.models import EXTERNAL_ID_MAX, GameSession, Provider
from games.services.wallet import WalletError

log = logging.getLogger("games.wallet")

OPERATIONS = ("authenticate", "balance", "bet", "win", "rollback", "end-round")
_AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$")
_SIG_RE = re.compile(r"^[0-9a-f]{64}$")
_TS_RE = re.compile(r"^[0-9]{1,12}$")
_PROVIDER_RE = re.compile(r"^[-a-zA-Z0-9_]{1,32}$")

FIELDS: dict[str, dict[str, str]] = {
    # field -> "id" (required id string) | "amount" | "currency" | "bool?" (optional bool) | "id?" (optional id)
    "authenticate": {"token": "id"},
    "balance": {"token": "id"},
    "bet": {"token": "id", "transaction_id": "id", "round_id": "id", "game_id": "id", "amount": "amount",
            "currency": "currency", "round_closed": "bool?"},
    "win": {"token": "id", "transaction_id": "id", "round_id": "id", "game_id": "id", "amount": "amount",
            "currency": "currency", "bet_transaction_id": "id?", "round_closed": "bool?"},
    "rollback": {"token": "id", "transaction_id": "id", "rollback_transaction_id": "id", "round_id": "id",
                 "game_id": "id"},
    "end-round": {"token": "id", "round_id": "id", "game_id": "id"},
}


def _error(code: str, message: str, status: int = 200, balances=None, currency: str | None = None) -> JsonResponse:
    body = {"status": "ERROR", "code": code, "message": message}
    if balances is not None and currency:
        body["balance"] = str(quantize(balances.total, currency))
    return JsonResponse(body, status=status)


class _Syntax(Exception):
    pass


def _reject_constant(name):
    raise _Syntax(f"{name} is not allowed")


# One decoder for every call (json.loads with options builds a decoder and its scanner per call). Numbers parse
# exactly (parse_float=Decimal keeps the literal's digits); NaN and Infinity are refused.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant)


def _parse_amount(value) -> Decimal:
    # Strings, or JSON numbers parsed exactly (parse_float=Decimal keeps the literal's digits).
    if isinstance(value, bool) or not isinstance(value, (str, Decimal, int)):
        raise _Syntax("amount must be a decimal string such as \"12.50\"")
    text = str(value)
    if not _AMOUNT_RE.match(text):
        raise _Syntax("amount must be a non-negative decimal such as \"12.50\"")
    return Decimal(text)


def parse_request(operation: str, raw: bytes, content_type: str) -> dict:
    """Validate and convert a request body; raises _Syntax with a message for WRONG_SYNTAX."""
    media = content_type.split(";")[0].strip().lower()
    if media != "application/json":
        raise _Syntax("Content-Type must be application/json")
    charset = re.search(r"charset=([^;\s]+)", content_type, re.I)
    if charset and charset.group(1).strip('"').lower() not in ("utf-8", "utf8"):
        raise _Syntax("the body must be UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Syntax("the body is not valid UTF-8") from None
    try:
        data = _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise _Syntax("malformed JSON") from None
    if not isinstance(data, dict):
        raise _Syntax("the body must be a JSON object")
    spec = FIELDS[operation]
    out: dict = {}
    for name, kind in spec.items():
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        if name not in data or data[name] is None:
            if optional:
                continue
            raise _Syntax(f"{name} is required")
        value = data[name]
        if kind == "id":
            if not isinstance(value, str) or not value or len(value) > EXTERNAL_ID_MAX or not value.isprintable():
                raise _Syntax(f"{name} must be a non-empty string of at most {EXTERNAL_ID_MAX} printable characters")
            out[name] = value
        elif kind == "amount":
            out[name] = _parse_amount(value)
        elif kind == "currency":
            if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
                raise _Syntax("currency must be an ISO-4217 code such as EUR")
            out[name] = value
        elif kind == "bool":
            if not isinstance(value, bool):
                raise _Syntax(f"{name} must be true or false")
            out[name] = value
    if "amount" in out and out["currency"] in CURRENCY_EXPONENTS and not has_valid_precision(
            out["amount"], out["currency"]):
        raise _Syntax(f"amount has more decimals than {out['currency']} allows")
    return out


def verify_signature(provider: Provider, raw: bytes, timestamp: str, signature: str, *,
                     now: float | None = None) -> bool:
    if not _TS_RE.match(timestamp or "") or not _SIG_RE.match(signature or ""):
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > settings.SIGNATURE_MAX_SKEW_SECONDS:
        return False
    message = timestamp.encode() + b"." + raw
    ok = False
    for secret in services.provider_secrets(provider):
        expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        ok |= hmac.compare_digest(expected, signature)
    return ok


def sign(secret: str, raw: bytes, timestamp: int | str) -> str:
    """The signature a provider sends (used by the conformance kit, the simulator and the tests)."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw, hashlib.sha256).hexdigest()


def _call(provider: Provider, operation: str, f: dict) -> dict:
    if operation == "authenticate":
        return services.wallet_authenticate(provider=provider, token=f["token"])
    if operation == "balance":
        return services.wallet_balance(provider=provider, token=f["token"])
    if operation == "bet":
        return services.wallet_bet(provider=provider, token=f["token"], tx_ref=f["transaction_id"],
                                   round_ref=f["round_id"], game_ref=f["game_id"], amount=f["amount"],
                                   currency=f["currency"], round_closed=f.get("round_closed", False))
    if operation == "win":
        return services.wallet_win(provider=provider, token=f["token"], tx_ref=f["transaction_id"],
                                   round_ref=f["round_id"], game_ref=f["game_id"], amount=f["amount"],
                                   currency=f["currency"], bet_ref=f.get("bet_transaction_id", ""),
                                   round_closed=f.get("round_closed", False))
    if operation == "rollback":
        return services.wallet_rollback(provider=provider, token=f["token"], tx_ref=f["transaction_id"],
                                        target_ref=f["rollback_transaction_id"], round_ref=f["round_id"],
                                        game_ref=f["game_id"])
    return services.wallet_end_round(provider=provider, token=f["token"], round_ref=f["round_id"],
                                     game_ref=f["game_id"])


_PROVIDERS: dict[str, tuple[float, Provider | None]] = {}
PROVIDER_CACHE_SECONDS = 5.0


def _provider(code: str) -> Provider | None:
    """The active provider of ``code``, cached in the process for a few seconds (one query less per call).

    A deactivation or a secret rotation takes effect within PROVIDER_CACHE_SECONDS.
    """
    now = time.monotonic()
    hit = _PROVIDERS.get(code)
    if hit is not None and now - hit[0] < PROVIDER_CACHE_SECONDS:
        return hit[1]
    provider = Provider.objects.filter(code=code, is_active=True).first()
    if len(_PROVIDERS) > 1000:
        _PROVIDERS.clear()
    _PROVIDERS[code] = (now, provider)
    return provider


@plain_lane  # served without Django's request handling in production (backoffice/handlers.py)
@csrf_exempt
@transaction.non_atomic_requests  # the wallet services own their transactions (and their retries)
def wallet(request, provider_code: str, operation: str):
    """One wallet call. Reads only the request's method, META and body (``plain_lane``'s contract)."""
    if request.method != "POST":
        return _error("WRONG_SYNTAX", "Use POST.", 405)
    if operation not in OPERATIONS:
        return _error("WRONG_SYNTAX", f"Unknown operation; one of {', '.join(OPERATIONS)}.", 404)
    try:
        provider = _provider(provider_code) if _PROVIDER_RE.match(provider_code) else None
    except DatabaseError:
        log.exception("wallet %s/%s: database error", provider_code, operation)
        return _error("INTERNAL_RETRY", "A transient failure; retry the same request.", 500)
    if provider is None:
        return _error("INVALID_SIGNATURE", "Unknown provider or bad signature.", 401)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > settings.WALLET_MAX_BODY_BYTES:
        return _error("WRONG_SYNTAX", f"The body must be at most {settings.WALLET_MAX_BODY_BYTES} bytes.", 400)
    raw = request.read(settings.WALLET_MAX_BODY_BYTES + 1)
    if len(raw) > settings.WALLET_MAX_BODY_BYTES:
        return _error("WRONG_SYNTAX", f"The body must be at most {settings.WALLET_MAX_BODY_BYTES} bytes.", 400)
    meta = request.META  # not request.headers: that builds a dict of every header on first use
    if not verify_signature(provider, raw, meta.get("HTTP_X_WALLET_TIMESTAMP", ""),
                            meta.get("HTTP_X_WALLET_SIGNATURE", "")):
        return _error("INVALID_SIGNATURE", "Bad signature or stale timestamp.", 401)
    try:
        fields = parse_request(operation, raw, meta.get("CONTENT_TYPE", ""))
    except _Syntax as exc:
        return _error("WRONG_SYNTAX", str(exc), 400)
    try:
        body = _call(provider, operation, fields)
    except WalletError as exc:
        currency = fields.get("currency") if exc.balances is not None else None
        if exc.balances is not None and not currency:
            currency = _session_currency(provider, fields.get("token", ""))
        return _error(exc.code, exc.message, exc.http_status, exc.balances, currency)
    except ApplicationError as exc:  # the ledger's own guard (e.g. insufficient funds in a race)
        code = "INSUFFICIENT_FUNDS" if exc.code == "insufficient_funds" else "INTERNAL_RETRY"
        log.warning("wallet %s/%s: ledger refused: %s", provider_code, operation, exc.message)
        return _error(code, exc.message, 200 if code == "INSUFFICIENT_FUNDS" else 500)
    except DatabaseError:
        log.exception("wallet %s/%s: database error", provider_code, operation)
        return _error("INTERNAL_RETRY", "A transient failure; retry the same request.", 500)
    except Exception:
        log.exception("wallet %s/%s: unexpected error", provider_code, operation)
        return _error("INTERNAL_RETRY", "A transient failure; retry the same request.", 500)
    return JsonResponse(body)


def _session_currency(provider, token) -> str | None:
    return GameSession.objects.filter(provider_id=provider.pk, token=token).values_list("currency", flat=True).first()


@require_GET
@transaction.non_atomic_requests  # read-only; a cache hit must not touch the database at all
def lobby(request, jurisdiction: str):
    """The player-facing lobby of a jurisdiction (cached in Redis, invalidated on every catalogue change)."""
    if not re.fullmatch(r"[-a-z0-9_]{1,16}", jurisdiction):
        return JsonResponse({"status": "ERROR", "code": "NOT_FOUND", "message": "Unknown jurisdiction."}, status=404)
    data = services.lobby_get(jurisdiction_code=jurisdiction)
    if data is None:
        return JsonResponse({"status": "ERROR", "code": "NOT_FOUND", "message": "Unknown jurisdiction."}, status=404)
    response = JsonResponse(data)
    response["Cache-Control"] = "public, max-age=30"
    return response


@require_GET
@transaction.non_atomic_requests
def openapi(request):
    # Imported here: games.openapi reads this module's FIELDS.
    from games.openapi import document  # noqa: PLC0415

    return HttpResponse(json.dumps(document(), indent=2), content_type="application/json")
