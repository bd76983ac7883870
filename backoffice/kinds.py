"""Human labels of the namespaced kind codes: "cashier.withdrawal_reserve" reads "Withdrawal reserved".

Ledger transactions and timeline events carry a kind ``<module>.<event>``; pages show its label, never
the code. Each app registers the labels of the kinds it records from its ``AppConfig.ready()``
(``kind_labels_register(TransactionKind.choices)``), so the registry is the one place they are read from
(the ``kind_label`` template filter, tables, titles). A kind nobody registered still reads as words:
the part after the module, capitalised ("games.jackpot_paid" -> "Jackpot paid").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

_LABELS: dict[str, str] = {}


def kind_labels_register(labels: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
    """Add labels (a mapping, or the ``choices`` of a TextChoices) to the registry."""
    items = labels.items() if isinstance(labels, Mapping) else labels
    _LABELS.update((str(code), str(label)) for code, label in items)


def kind_label(kind: str | None) -> str:
    """The label of ``kind``; an unregistered kind reads as the words of its event part."""
    if not kind:
        return ""
    label = _LABELS.get(kind)
    if label is not None:
        return label
    words = kind.rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:]
