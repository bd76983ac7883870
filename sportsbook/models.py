"""Models of the sportsbook app (see ../shared/SPEC.md)."""
