from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.money import Money, format_money, has_valid_precision, quantize, to_decimal


def test_floats_and_non_finite_values_are_refused():
    with pytest.raises(TypeError):
        Money(1.5, "EUR")
    for bad in ("NaN", "Infinity", "-inf", "abc", ""):
        with pytest.raises(ValueError):
            to_decimal(bad)


def test_currencies_do_not_mix():
    with pytest.raises(TypeError):
        Money("1", "EUR") + Money("1", "USD")
    with pytest.raises(ValueError):
        Money("1", "XXX")
    assert Money("1.10", "EUR") + Money("2.20", "EUR") == Money("3.30", "EUR")


def test_quantize_is_bankers_rounding_to_the_minor_unit():
    assert quantize(Decimal("2.345"), "EUR") == Decimal("2.34")
    assert quantize(Decimal("2.355"), "EUR") == Decimal("2.36")
    assert quantize(Decimal("1234.5"), "JPY") == Decimal("1234")
    assert quantize(Decimal("1.0005"), "KWD") == Decimal("1.000")
    assert format_money(Decimal("1234567.5"), "EUR") == "1,234,567.50 EUR"


def test_precision_check():
    assert has_valid_precision(Decimal("1.25"), "EUR")
    assert not has_valid_precision(Decimal("1.255"), "EUR")
    assert not has_valid_precision(Decimal("1E+30"), "EUR")  # beyond the context: False, not InvalidOperation
    assert not has_valid_precision(Decimal("1.5"), "JPY")


@given(st.decimals(min_value=-10**12, max_value=10**12, places=2), st.decimals(min_value=-10**12,
                                                                                max_value=10**12, places=2))
def test_addition_is_exact(a, b):
    assert (Money(a, "EUR") + Money(b, "EUR")).amount == a + b
    assert (Money(a, "EUR") - Money(b, "EUR") + Money(b, "EUR")).amount == a
