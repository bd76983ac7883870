"""Errors raised by services. Views turn them into form errors or JSON error codes, never a 500."""


class ApplicationError(Exception):
    """A business rule refused the operation; the message is safe to show to the user."""

    def __init__(self, message: str, *, code: str = "invalid", extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
