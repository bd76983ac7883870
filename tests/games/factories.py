"""Games test helpers: providers, games, sessions, funded players and a signing wallet client."""

from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal

from games.api import sign
from games.models import Jurisdiction
from games.services import game_create, game_session_open, provider_create

_seq = itertools.count(1)
SECRET = "test-secret-0123456789abcdef"


def jurisdiction(code="mga", countries=("MT", "DE", "IE"), default=False) -> Jurisdiction:
    found = Jurisdiction.objects.filter(code=code).first()
    return found or Jurisdiction.objects.create(code=code, name=code.upper(), countries=list(countries),
                                                is_default=default)


def provider(code=None, secret=SECRET):
    p, _ = provider_create(code=code or f"prov{next(_seq)}", name="Test Studio", secret=secret)
    return p


def game(prov, external_id=None, jurisdictions=None, **kw):
    kw.setdefault("rtp", "96.00")
    return game_create(provider=prov, external_id=external_id or f"g{next(_seq)}", title="Test Slot",
                       jurisdictions=jurisdictions, **kw)


def fund(player, cash="0", bonus="0"):
    """Put money on a player's cash and bonus accounts (against the house), as a deposit/bonus would."""
    from cashier.choices import AccountKind
    from cashier.services import house_account, ledger_post, player_account

    for kind, amount in ((AccountKind.PLAYER_CASH, Decimal(cash)), (AccountKind.PLAYER_BONUS, Decimal(bonus))):
        if amount:
            ledger_post(idempotency_key=f"test-fund:{player.pk}:{kind}:{next(_seq)}", kind="test.fund",
                        lines=[(player_account(player=player, kind=kind), amount),
                               (house_account(currency=player.currency), -amount)])


def session(player, g):
    return game_session_open(player=player, provider_code=g.provider.code, game_external_id=g.external_id)


def funded_session(g, *, cash: str, country: str = "MT", currency: str = "EUR", **player_fields):
    """A new player with ``cash`` on the cash wallet and a live session on game ``g`` (``.player`` is the player)."""
    from tests.factories import PlayerFactory

    player = PlayerFactory(country=country, currency=currency, **player_fields)
    fund(player, cash=cash)
    return session(player, g)


def signed_headers(body: bytes, *, secret: str = SECRET, ts=None, signature=None) -> dict:
    """The headers a provider signs ``body`` with (a given ``ts`` or ``signature`` replaces the right one)."""
    ts = str(int(time.time())) if ts is None else str(ts)
    return {"X-Wallet-Timestamp": ts, "X-Wallet-Signature": sign(secret, body, ts) if signature is None else signature}


class WalletClient:
    """Signs and posts wallet requests with Django's test client (or any client with .post)."""

    def __init__(self, client, provider_code: str, secret: str = SECRET):
        self.client, self.code, self.secret = client, provider_code, secret

    def raw(self, op: str, body: bytes, *, ts=None, signature=None, content_type="application/json", code=None):
        return self.client.post(f"/api/wallet/v1/{code or self.code}/{op}", data=body, content_type=content_type,
                                headers=signed_headers(body, secret=self.secret, ts=ts, signature=signature))

    def call(self, op: str, **fields):
        response = self.raw(op, json.dumps(fields).encode())
        return response.status_code, response.json()
