"""How consignments are written: agencies, HS code formats, calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np

from precursorwatch.ids import hs
from precursorwatch.simulate import documents


def test_history_ends_with_october() -> None:
    assert documents.to_date(documents.NEW_FROM) == dt.date(documents.YEAR, 11, 1)
    assert documents.to_date(documents.NEW_FROM - 1) == dt.date(documents.YEAR, 10, 31)
    assert documents.month_of(0) == 1 and documents.month_of(documents.DAYS - 1) == 12


def test_no_declaration_falls_on_a_sunday() -> None:
    days = documents.working_day(np.arange(documents.DAYS, dtype=np.int64))
    assert all(documents.to_date(int(d)).weekday() != 6 for d in days)
    assert days.min() >= 0 and days.max() < documents.DAYS


def test_every_hs_format_is_a_valid_code_of_the_same_subheading() -> None:
    formats = documents.hs_formats("293942")
    assert formats == ("29394200", "2939.42.00", "2939420000", "2939.42.0000", "293942",
                       "2939.42")
    assert all(hs.subheading(f) == "293942" for f in formats)
    assert {documents.hs_style("IN-CBIC", u / 10) for u in range(10)} <= {0, 1, 4}
    assert {documents.hs_style("US-CBP", u / 10) for u in range(10)} <= {2, 3, 4, 5}


def test_sources_follow_the_lane() -> None:
    assert documents.source_of("IN", "MX", False, 0.9) == "IN-CBIC"
    assert documents.source_of("IN", "US", False, 0.9) == "US-CBP"
    assert documents.source_of("IN", "US", True, 0.1) == "IN-NCB"
    assert documents.source_of("US", "IN", False, 0.9) == "IN-CBIC"
    assert documents.source_of("US", "CA", True, 0.1) == "US-DEA"
    assert documents.id_prefix("IN-CBIC", "IN") == "SB"
    assert documents.id_prefix("IN-CBIC", "US") == "BE"
