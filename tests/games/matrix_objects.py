"""Games objects for the permission matrix (imported by tests/backoffice/test_permission_matrix.py)."""

from decimal import Decimal

from games.models import LobbyCategory, Round
from tests import matrix
from tests.games import factories as gf


def _games_world(world):
    if "games" not in world:
        jur = gf.jurisdiction("mx", ("MT",))
        prov = gf.provider("matrix")
        game = gf.game(prov, "m-1")
        cat = LobbyCategory.objects.create(slug="matrix", name="Matrix")

        def round_of(player, ref):
            return Round.objects.create(provider=prov, round_ref=ref, player=player, game=game, game_version=1,
                                        currency=player.currency, bet_total=Decimal("1"))

        world["games"] = {"provider": prov, "game": game, "jurisdiction": jur, "category": cat,
                          "round_a": round_of(world["player_a"], "ra"), "round_c": round_of(world["player_c"], "rc"),
                          "round_b": round_of(world["player_b"], "rb")}
    return world["games"]


def _same(key):
    def objects(world):
        obj = _games_world(world)[key]
        return {"a": obj, "c": obj, "foreign": obj}

    return objects


matrix.objects_for("games.provider")(_same("provider"))
matrix.objects_for("games.game")(_same("game"))
matrix.objects_for("games.jurisdiction")(_same("jurisdiction"))
matrix.objects_for("games.lobbycategory")(_same("category"))


@matrix.objects_for("games.round")
def _rounds(world):
    g = _games_world(world)
    return {"a": g["round_a"], "c": g["round_c"], "foreign": g["round_b"]}


