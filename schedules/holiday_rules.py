"""Holiday calendars of a support line: the ``holidays`` package plus company closures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays as holidays_package

ENGLISH = "en_US"


@dataclass(frozen=True)
class Closure:
    """A company closure day that the holidays package does not know about."""

    day: date
    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.day, date):
            raise ValueError(f"closure day must be a date, got {self.day!r}")
        if not self.name or not self.name.strip():
            raise ValueError(f"closure on {self.day.isoformat()} needs a name")


@dataclass(frozen=True)
class HolidayRules:
    """Which days a line is closed: a country/subdivision calendar and company closures."""

    country: str | None = None
    subdivision: str | None = None
    categories: tuple[str, ...] = ()
    closures: tuple[Closure, ...] = ()

    def __post_init__(self) -> None:
        # Configuration often arrives as lists; tuples keep the rules hashable.
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "closures", tuple(self.closures))
        for closure in self.closures:
            if not isinstance(closure, Closure):
                raise ValueError(f"closures must be Closure objects, got {closure!r}")
        if self.subdivision is not None and self.country is None:
            raise ValueError(f"holiday subdivision {self.subdivision!r} needs a country")
        if self.country is not None:
            _check_package_calendar(self.country, self.subdivision, self.categories)

    def holiday_on(self, day: date) -> str | None:
        """Return the name of the holiday or closure on ``day``, or None on a working day.

        A company closure wins over the package's holiday; several names on one
        day are joined with "; ".
        """
        closure = self.closure_on(day)
        if closure is not None or self.country is None:
            return closure
        calendar = _package_calendar(self.country, self.subdivision, self.categories, day.year)
        names = calendar.get_list(day)
        return "; ".join(names) if names else None

    def closure_on(self, day: date) -> str | None:
        """Return the name of the company's own closure on ``day``, or None.

        Callers hear a closure as the offices being closed, not as a public
        holiday, so it must be told apart from the package's holidays.
        """
        closures = [c.name for c in self.closures if c.day == day]
        return "; ".join(closures) if closures else None


def _check_package_calendar(
    country: str, subdivision: str | None, categories: tuple[str, ...]
) -> None:
    """Raise ValueError if the holidays package rejects the country, subdivision or categories."""
    try:
        _package_calendar(country, subdivision, categories, None)
    except (NotImplementedError, ValueError) as error:
        raise ValueError(
            f"invalid holiday calendar country={country!r} subdivision={subdivision!r} "
            f"categories={categories!r}: {error}"
        ) from error


@lru_cache(maxsize=256)
def _package_calendar(
    country: str, subdivision: str | None, categories: tuple[str, ...], year: int | None
) -> holidays_package.HolidayBase:
    """Build (once per key) the package's calendar for one year, in English where available."""
    chosen = categories or None  # None: the package's default categories
    if year is None:
        return holidays_package.country_holidays(country, subdiv=subdivision, categories=chosen)
    probe = _package_calendar(country, subdivision, categories, None)
    language = ENGLISH if ENGLISH in probe.supported_languages else None
    # expand=False: the cached object is shared, so it must never grow itself on lookup.
    return holidays_package.country_holidays(country, subdiv=subdivision, categories=chosen, years=year,
                                             expand=False, language=language)
