"""Demo jurisdictions, lobby, providers and games (idempotent: existing rows are left as they are)."""

from __future__ import annotations

import random

from django.db import transaction

from games.models import Game, Jurisdiction, LobbyCategory, LobbyPlacement, Provider
from games.services import game_create, lobby_place, provider_create

# Demo only, printed on purpose: lets anyone try `wallet_conformance` against `make demo`.
DEMO_PROVIDER_SECRET = "demo-wallet-secret-not-for-production"  # noqa: S105

JURISDICTIONS = [
    ("mga", "Malta (MGA)", ["MT", "DE", "IE", "FI", "NZ", "CA"], False),
    ("ukgc", "Great Britain (UKGC)", ["GB"], False),
    ("sga", "Sweden (Spelinspektionen)", ["SE"], False),
    ("intl", "International (default)", [], True),
]
CATEGORIES = [("popular", "Popular", 1), ("slots", "Slots", 2), ("table", "Table games", 3), ("live", "Live casino", 4),
              ("crash", "Crash & instant", 5)]
PROVIDERS = [("demo-studio", "Demo Studio", "studio", DEMO_PROVIDER_SECRET), ("northlight", "Northlight Games",
                                                                               "aggregator", None)]
# (provider, game id, title, type, category, rtp, volatility, jurisdictions or None for all)
GAMES = [
    ("demo-studio", "ds-starfall", "Starfall Riches", "slot", "slots", "96.20", "medium", None),
    ("demo-studio", "ds-viking", "Viking Voyage", "slot", "slots", "96.50", "high", None),
    ("demo-studio", "ds-pharaoh", "Pharaoh's Vault", "slot", "slots", "95.80", "very_high", None),
    ("demo-studio", "ds-fruit", "Fruit Frenzy 243", "slot", "slots", "97.00", "low", None),
    ("demo-studio", "ds-dragon", "Dragon Pearls", "slot", "slots", "96.00", "high", ["mga", "intl", "sga"]),
    ("demo-studio", "ds-bj", "Blackjack Classic", "table", "table", "99.50", "low", None),
    ("demo-studio", "ds-roulette", "European Roulette", "table", "table", "97.30", "medium", None),
    ("demo-studio", "ds-baccarat", "Baccarat Pro", "table", "table", "98.90", "low", None),
    ("demo-studio", "ds-rocket", "Rocket Multiplier", "crash", "crash", "97.00", "very_high", ["mga", "intl"]),
    ("demo-studio", "ds-scratch", "Lucky Scratch", "instant", "crash", "95.00", "medium", None),
    ("northlight", "nl-aurora", "Aurora Wilds", "slot", "slots", "96.10", "high", None),
    ("northlight", "nl-gold", "Gold Rush Express", "slot", "slots", "96.40", "medium", None),
    ("northlight", "nl-ice", "Ice Kingdom Megaways", "slot", "slots", "96.70", "very_high", ["mga", "intl"]),
    ("northlight", "nl-live-bj", "Live Blackjack VIP", "live", "live", "99.28", "low", None),
    ("northlight", "nl-live-rl", "Live Lightning Roulette", "live", "live", "97.10", "high", None),
    ("northlight", "nl-live-gs", "Live Game Show: Wheel", "live", "live", "96.08", "medium", ["mga", "ukgc", "intl"]),
]
POPULAR = ["ds-starfall", "nl-aurora", "ds-bj", "nl-live-rl", "ds-rocket", "ds-viking"]


def seed(stdout) -> list[tuple[str, str]]:
    if Provider.objects.filter(code="demo-studio").exists():
        return []
    rng = random.Random(5)
    with transaction.atomic():
        for code, name, countries, default in JURISDICTIONS:
            Jurisdiction.objects.get_or_create(code=code, defaults={"name": name, "countries": countries,
                                                                    "is_default": default})
        cats = {}
        for slug, name, pos in CATEGORIES:
            cats[slug], _ = LobbyCategory.objects.get_or_create(slug=slug, defaults={"name": name, "position": pos})
        providers = {}
        for code, name, kind, secret in PROVIDERS:
            providers[code], _ = provider_create(code=code, name=name, kind=kind, secret=secret,
                                                 actor_label="seed_demo")
        jurs = {j.code: j for j in Jurisdiction.objects.all()}
        games = {}
        for prov, gid, title, gtype, cat, rtp, vol, where in GAMES:
            games[gid] = game_create(provider=providers[prov], external_id=gid, title=title, game_type=gtype,
                                     category=cats[cat], rtp=rtp, volatility=vol,
                                     certificate_ref=f"GLI-19-{rng.randint(10000, 99999)}",
                                     jurisdictions=[jurs[c] for c in where] if where else None,
                                     actor_label="seed_demo")
            lobby_place(category_id=cats[cat].pk, game=games[gid], featured=gid in POPULAR[:3])
        for gid in POPULAR:
            lobby_place(category_id=cats["popular"].pk, game=games[gid], featured=gid in POPULAR[:3])
    stdout.write(f"  {Game.objects.count()} games of {len(PROVIDERS)} providers, "
                 f"{LobbyPlacement.objects.count()} lobby placements")
    stdout.write(f"  wallet provider demo-studio, signing secret: {DEMO_PROVIDER_SECRET}")
    return []
