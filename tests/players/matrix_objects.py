"""Permission-matrix objects of the players app's own models (imported by the matrix test)."""

from players.models import Note, Segment
from tests import matrix


def _note(world, key):
    cache = world.setdefault("_notes", {})
    if key not in cache:
        cache[key] = Note.objects.create(player=world[f"player_{key}"], text=f"note {key}", channel="phone")
    return cache[key]


@matrix.objects_for("players.note")
def _notes(world):
    return {"a": _note(world, "a"), "c": _note(world, "c"), "foreign": _note(world, "b")}


@matrix.objects_for("players.segment")
def _segments(world):
    if "_segment" not in world:
        world["_segment"] = Segment.objects.create(name="VIPs", kind="rule", vip_min=3)
    s = world["_segment"]
    return {"a": s, "c": s, "foreign": s}
