"""Models of the bonuses app (see ../shared/SPEC.md)."""
