"""The lobby: categories and placements per jurisdiction, built once and cached by generation."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db import transaction

from backoffice.exceptions import ApplicationError
from backoffice.services import audit_record
from games.models import (
    Game,
    Jurisdiction,
    LobbyCategory,
    LobbyPlacement,
)

LOBBY_CACHE_SECONDS = 3600
_LOBBY_GEN_KEY = "games:lobby:gen"


def lobby_cache_invalidate() -> None:
    """Every cached lobby is stale: bump the generation in the key (no key scan)."""
    try:
        cache.incr(_LOBBY_GEN_KEY)
    except ValueError:
        cache.set(_LOBBY_GEN_KEY, 1, None)


def _lobby_key(code: str) -> str:
    gen = cache.get(_LOBBY_GEN_KEY)
    if gen is None:
        cache.add(_LOBBY_GEN_KEY, 1, None)
        gen = cache.get(_LOBBY_GEN_KEY, 1)
    return f"games:lobby:{gen}:{code}"


def lobby_build(*, jurisdiction: Jurisdiction) -> dict:
    """The lobby of a jurisdiction: active categories with their placed games, approved and active there."""
    placements = (LobbyPlacement.objects
                  .filter(category__is_active=True, game__is_active=True, game__provider__is_active=True,
                          game__jurisdictions=jurisdiction)
                  .select_related("category", "game", "game__provider")
                  .order_by("category__position", "category__name", "position", "id"))
    categories: dict[int, dict] = {}
    featured = []
    for p in placements:
        g = p.game
        item = {"id": g.external_id, "provider": g.provider.code, "title": g.title, "type": g.game_type,
                "rtp": str(g.rtp.quantize(Decimal("0.01"))), "volatility": g.volatility}
        cat = categories.setdefault(p.category_id, {"slug": p.category.slug, "name": p.category.name, "games": []})
        cat["games"].append(item)
        if p.featured and all(f["id"] != item["id"] or f["provider"] != item["provider"] for f in featured):
            featured.append(item)  # in lobby order: category position, then placement position; once per game
    return {"jurisdiction": jurisdiction.code, "featured": featured, "categories": list(categories.values())}


def lobby_get(*, jurisdiction_code: str) -> dict | None:
    """The cached lobby for a jurisdiction code (None if no such jurisdiction)."""
    key = _lobby_key(jurisdiction_code)
    data = cache.get(key)
    if data is None:
        jurisdiction = Jurisdiction.objects.filter(code=jurisdiction_code).first()
        if jurisdiction is None:
            return None
        data = lobby_build(jurisdiction=jurisdiction)
        cache.set(key, data, LOBBY_CACHE_SECONDS)
    return data


@transaction.atomic
def lobby_place(*, category_id: int, game: Game, position: int | None = None, featured: bool = False,
                actor=None) -> LobbyCategory:
    """Place a game in a lobby category (at ``position``, shifting the others down; None: at the end)."""
    category = LobbyCategory.objects.select_for_update(no_key=True).get(pk=category_id)
    if LobbyPlacement.objects.filter(category=category, game=game).exists():
        raise ApplicationError(f"{game} is already in {category}.", code="duplicate")
    order = list(LobbyPlacement.objects.filter(category=category).order_by("position", "id")
                 .values_list("game_id", flat=True))
    index = len(order) if position is None else max(0, min(position - 1, len(order)))
    order.insert(index, game.pk)
    LobbyPlacement.objects.create(category=category, game=game, position=index + 1, featured=featured)
    _renumber(category, order)
    audit_record(actor=actor, action="lobby.place", target=category,
                 after={"game": game.pk, "position": index + 1, "featured": featured})
    return category


def _renumber(category: LobbyCategory, order: list[int]) -> None:
    placements = {p.game_id: p for p in LobbyPlacement.objects.filter(category=category)}
    for pos, gid in enumerate(order, start=1):
        p = placements[gid]
        if p.position != pos:
            p.position = pos
            p.save(update_fields=["position"])


@transaction.atomic
def lobby_arrange(*, category_id: int, order: list[int], featured: list[int] = (), removed: list[int] = (),
                  actor=None) -> LobbyCategory:
    """Set a category's full order (drag-and-drop or position numbers), its featured games and removals."""
    category = LobbyCategory.objects.select_for_update(no_key=True).get(pk=category_id)
    placements = {p.game_id: p for p in LobbyPlacement.objects.filter(category=category)}
    if len(set(order)) != len(order) or set(order) | set(removed) != set(placements) or set(order) & set(removed):
        raise ApplicationError("The new order must list every game of the category once.", code="order")
    before = {"order": [g for g, _ in sorted(((g, p.position) for g, p in placements.items()), key=lambda t: t[1])],
              "featured": sorted(g for g, p in placements.items() if p.featured)}
    if removed:
        LobbyPlacement.objects.filter(category=category, game_id__in=removed).delete()
    _renumber(category, order)
    for gid in order:
        p = placements[gid]
        want = gid in set(featured)
        if p.featured != want:
            p.featured = want
            p.save(update_fields=["featured"])
    audit_record(actor=actor, action="lobby.arrange", target=category, before=before,
                 after={"order": order, "featured": sorted(set(featured) & set(order)), "removed": list(removed)})
    return category
