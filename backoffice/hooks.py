"""Cross-app hooks: the one way an app lets other apps act inside one of its operations.

An app that offers a hook point declares it in its own ``hooks.py`` (``exclusion_started = Hook(...)``) and calls
it from its service, in the service's transaction. An app that acts on it registers a receiver from its
``AppConfig.ready()``: ``exclusion_started.register(my_receiver)``. The caller never imports the receivers'
apps, so an app that is not installed simply registers nothing.

Why not Django signals: these receivers are business rules that take part in the caller's decision and
transaction (a receiver's refusal refuses the operation); a named point with its documented arguments and
an explicit registration keeps that visible. Django signals stay for framework events and plumbing only
(logins into the audit log, cache invalidation, ``post_migrate``). Hook points are listed in
docs/architecture.md ("Cross-app hooks").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_POINTS: dict[str, Hook] = {}


class Hook:
    """A named hook point. Receivers are called with keyword arguments only, in registration order."""

    def __init__(self, name: str, doc: str):
        if name in _POINTS:
            raise ValueError(f"hook point {name!r} is declared twice")
        self.name, self.__doc__ = name, doc
        self._receivers: list[Callable[..., Any]] = []
        _POINTS[name] = self

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def register(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``receiver`` (idempotent: ``ready()`` may run more than once in tests). Usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def unregister(self, receiver: Callable[..., Any]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    def __call__(self, **kwargs) -> list[Any]:
        """Call every receiver; their results in order. An exception propagates (the caller's operation fails)."""
        return [receiver(**kwargs) for receiver in self._receivers]

    @contextmanager
    def registered(self, receiver: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
        """``receiver`` registered for the duration of the block (tests' fake providers)."""
        already = receiver in self._receivers
        self.register(receiver)
        try:
            yield receiver
        finally:
            if not already:
                self.unregister(receiver)


def hook_points() -> dict[str, Hook]:
    """Every declared hook point, by name (the documentation test lists them)."""
    return dict(_POINTS)
