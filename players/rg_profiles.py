"""Responsible-gambling market profiles, shipped as data.

A player's profile is chosen by country: UKGC for Great Britain (and the Crown dependencies' players
served under a British licence), MGA for Malta, and the GLI-19 default everywhere else. Every rule of
``players.services.rg`` that differs by market reads it from here; adding a market is adding an entry.

References: GLI-19 v3.0 A.3.7 (limits, 24-hour cooling-off for increases) and A.3.8 (time-outs,
self-exclusion); UKGC RTS 12 (increases need a cooling-off and the customer's positive confirmation),
RTS 13/LCCP SR 3.5 (time-outs, self-exclusion); MGA Player Protection Directive (Directive 2 of 2018).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RgProfile:
    code: str
    name: str
    countries: frozenset[str]
    minimum_age: int = 18
    increase_cooling_off: timedelta = timedelta(hours=24)
    increase_needs_confirmation: bool = False  # the player must reaffirm after the cooling-off
    timeout_min: timedelta = timedelta(hours=24)
    timeout_max: timedelta = timedelta(weeks=6)
    exclusion_min: timedelta = timedelta(days=182)  # 6 months
    exclusion_max: timedelta = timedelta(days=5 * 365 + 1)  # 5 years
    exclusion_indefinite: bool = True
    reality_check_default_minutes: int | None = 60
    reality_check_min_minutes: int = 10
    reality_check_max_minutes: int = 240

    def __str__(self) -> str:
        return self.name


UKGC = RgProfile(
    code="ukgc", name="UK Gambling Commission", countries=frozenset({"GB", "JE", "GG", "IM"}),
    increase_needs_confirmation=True, reality_check_default_minutes=60,
)
MGA = RgProfile(
    code="mga", name="Malta Gaming Authority", countries=frozenset({"MT"}),
    increase_needs_confirmation=False, reality_check_default_minutes=60,
)
GLI19 = RgProfile(
    code="gli19", name="GLI-19 default", countries=frozenset(),
    increase_needs_confirmation=False, reality_check_default_minutes=None,
)

PROFILES: dict[str, RgProfile] = {p.code: p for p in (UKGC, MGA, GLI19)}
_BY_COUNTRY = {country: p for p in (UKGC, MGA) for country in p.countries}

# Durations offered in forms (the profile's bounds still decide what is allowed).
TIMEOUT_CHOICES = [("24h", "24 hours", timedelta(hours=24)), ("72h", "3 days", timedelta(days=3)),
                   ("1w", "1 week", timedelta(weeks=1)), ("2w", "2 weeks", timedelta(weeks=2)),
                   ("4w", "4 weeks", timedelta(weeks=4)), ("6w", "6 weeks", timedelta(weeks=6))]
EXCLUSION_CHOICES = [("6m", "6 months", timedelta(days=182)), ("1y", "1 year", timedelta(days=365)),
                     ("2y", "2 years", timedelta(days=730)), ("5y", "5 years", timedelta(days=5 * 365)),
                     ("indefinite", "Indefinite", None)]


def profile_for_country(country: str) -> RgProfile:
    return _BY_COUNTRY.get((country or "").upper(), GLI19)
