"""Models of the cashier app (see ../shared/SPEC.md)."""
