"""How a consignment is written on a declaration: which agency reports it, how its HS code
and references are printed, the year it falls in and the currencies it is valued in.

Shared by the vectorised legitimate trade and the planted rows, so that a planted row cannot
be told from an ordinary one by its formatting.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

__all__ = [
    "DAYS",
    "EUROZONE",
    "NEW_FROM",
    "RATES",
    "SOURCES",
    "YEAR",
    "hs_formats",
    "hs_style",
    "id_prefix",
    "month_of",
    "month_starts",
    "pen_reference",
    "source_of",
    "to_date",
    "working_day",
]

#: The simulated year: history is January to October, new is November and December.
YEAR = 2025
DAYS = 365
#: Day of the year (0 = 1 January) on which ``new`` begins: 1 November.
NEW_FROM = (dt.date(YEAR, 11, 1) - dt.date(YEAR, 1, 1)).days
_MONTH_STARTS = np.array([(dt.date(YEAR, m, 1) - dt.date(YEAR, 1, 1)).days for m in range(1, 13)]
                         + [DAYS])
#: The agencies that report records: customs of both nations, India's Narcotics Control
#: Bureau (export no-objection certificates) and the US DEA (import/export declarations).
SOURCES: tuple[str, ...] = ("IN-CBIC", "IN-NCB", "US-CBP", "US-DEA")
#: Units of currency per US dollar, fixed for the year.
RATES: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "INR": 84.0}
EUROZONE = frozenset({"DE", "NL", "BE"})


def to_date(day: int) -> dt.date:
    """The date of a day of the simulated year."""
    return dt.date(YEAR, 1, 1) + dt.timedelta(days=int(day))


def month_of(day: int) -> int:
    """The month (1-12) of a day of the year."""
    return int(np.searchsorted(_MONTH_STARTS, day, side="right"))


def month_starts() -> npt.NDArray[np.int64]:
    """First day of each month and the end of the year (13 values)."""
    return _MONTH_STARTS.copy()


def working_day(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Days moved off Sundays (customs houses file on Saturdays, not Sundays)."""
    weekday = (days + dt.date(YEAR, 1, 1).weekday()) % 7
    moved = np.where(weekday == 6, days + 1, days)
    return np.where(moved >= DAYS, days - 1, moved)


def source_of(export_country: str, import_country: str, controlled: bool, u: float) -> str:
    """Which agency reports a consignment, given a uniform draw ``u``.

    Exports are declared where they leave; a consignment between India and the US is as often
    in the importing country's entries. Controlled goods are also notified to the narcotics
    authority of the exporting country (India's NCB, the US DEA) a fifth of the time.
    """
    if export_country == "IN":
        if controlled and u < 0.2:
            return "IN-NCB"
        return "US-CBP" if import_country == "US" and u > 0.6 else "IN-CBIC"
    if export_country == "US":
        if controlled and u < 0.2:
            return "US-DEA"
        return "IN-CBIC" if import_country == "IN" and u > 0.6 else "US-CBP"
    return "US-CBP" if import_country == "US" else "IN-CBIC"


def id_prefix(source: str, export_country: str) -> str:
    """The document a record is: shipping bill or bill of entry (India), export or import
    entry (US), NCB no-objection certificate, DEA Form 486."""
    if source == "IN-CBIC":
        return "SB" if export_country == "IN" else "BE"
    if source == "US-CBP":
        return "EEI" if export_country == "US" else "ENT"
    return "NOC" if source == "IN-NCB" else "DEA486"


def hs_formats(hs6: str) -> tuple[str, ...]:
    """The ways an HS subheading is printed: India's 8-digit ITC-HS (plain and dotted), the
    US 10-digit HTS (plain and dotted), and the bare 6 digits (plain and dotted).

    Index 0-1 are Indian, 2-3 American, 4-5 international; callers pick by source.
    """
    h8, h10 = hs6 + "00", hs6 + "0000"
    return (h8, f"{hs6[:4]}.{hs6[4:]}.00", h10, f"{hs6[:4]}.{hs6[4:]}.0000", hs6,
            f"{hs6[:4]}.{hs6[4:]}")


def hs_style(source: str, u: float) -> int:
    """Which of :func:`hs_formats` a source prints, given a uniform draw ``u``."""
    if source.startswith("IN"):
        return 0 if u < 0.6 else 1 if u < 0.85 else 4
    return 2 if u < 0.5 else 3 if u < 0.7 else 4 if u < 0.85 else 5


def pen_reference(export_country: str, number: int) -> str:
    """A pre-export notification reference of the exporting country (PEN Online style)."""
    return f"{export_country}-PEN-{YEAR}-{number:06d}"
