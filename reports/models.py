"""Models of the reports app (see ../shared/SPEC.md)."""
