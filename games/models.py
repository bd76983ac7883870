"""Models of the games app (see ../shared/SPEC.md)."""
