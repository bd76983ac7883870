"""Money: an exact Decimal amount that always carries its ISO-4217 currency.

Database columns use ``MoneyField`` (or ``DecimalField(max_digits=MONEY_MAX_DIGITS,
decimal_places=MONEY_DECIMAL_PLACES)``) beside a ``CurrencyField``. In Python, ``Money`` refuses floats
and arithmetic across currencies. Rounding happens in exactly one place, :func:`quantize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import models

MONEY_MAX_DIGITS = 20
MONEY_DECIMAL_PLACES = 4  # storage precision; each currency's own exponent is applied by quantize()

# ISO-4217 minor units for the currencies the product ships with. Unknown codes are refused.
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2, "USD": 2, "GBP": 2, "CAD": 2, "AUD": 2, "NZD": 2, "CHF": 2, "SEK": 2, "NOK": 2,
    "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "RON": 2, "BGN": 2, "BRL": 2, "MXN": 2, "INR": 2,
    "ZAR": 2, "TRY": 2, "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3,
}
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_EXPONENTS)]


def currency_exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise ValueError(f"Unknown currency {currency!r}.") from None


def to_decimal(value: object) -> Decimal:
    """Parse an amount exactly. Floats, NaN and infinities are refused."""
    if isinstance(value, (bool, float)):
        raise TypeError("Money amounts must not be floats; pass a string or a Decimal.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not a decimal amount.") from None
    if not amount.is_finite():
        raise ValueError("Amounts must be finite numbers.")
    return amount


def quantize(amount: Decimal, currency: str) -> Decimal:
    """The one rounding helper: banker's rounding to the currency's minor unit."""
    exp = Decimal(1).scaleb(-currency_exponent(currency))
    return amount.quantize(exp, rounding=ROUND_HALF_EVEN)


_MINOR_UNITS: dict[str, Decimal] = {}  # currency -> its minor unit, e.g. Decimal("0.01"); hot paths ask per line


def _minor_unit(currency: str) -> Decimal:
    unit = _MINOR_UNITS.get(currency)
    if unit is None:
        unit = _MINOR_UNITS[currency] = Decimal(1).scaleb(-currency_exponent(currency))
    return unit


def has_valid_precision(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` has no more decimals than the currency allows (False when too large to tell)."""
    if not amount.is_finite():
        return False
    try:
        return amount == amount.quantize(_minor_unit(currency))
    except InvalidOperation:  # more digits than the decimal context holds, e.g. 1E+30
        return False


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        object.__setattr__(self, "amount", to_decimal(self.amount))
        currency_exponent(self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money can only be combined with Money.")
        if other.currency != self.currency:
            raise TypeError(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    if currency and currency in CURRENCY_EXPONENTS:
        amount = quantize(amount, currency)
    return f"{amount:,} {currency or ''}".strip()


class MoneyField(models.DecimalField):
    """A DecimalField with the product's money precision. Pair it with a CurrencyField."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        super().__init__(*args, **kwargs)


class CurrencyField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("choices", CURRENCY_CHOICES)
        super().__init__(*args, **kwargs)
