"""The one age rule (secu.core.ages): full years, born on 29 February → 28 February in a common year.

The rule is checked against its definition written independently here: the A-th anniversary is the birth's
day and month A years later or, when that year has no such day (29 February), the last day of February
(code de procédure civile, art. 641, 2e al., read by analogy).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from secu.core.ages import age_expr, age_le, full_years_ymd


def _anniversary(born: date, year: int) -> date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February of a common year: the month's last day
        return date(year, 2, 28)


def _by_definition(born: date, on: date) -> int:
    years = on.year - born.year
    return years if _anniversary(born, on.year) <= on else years - 1


def test_worked_example_born_29_february_2008() -> None:
    born = date(2008, 2, 29)
    assert age_le(born, date(2026, 2, 27)) == 17
    assert age_le(born, date(2026, 2, 28)) == 18  # 2026 has no 29 February: the last day of the month
    assert age_le(born, date(2026, 3, 1)) == 18
    assert age_le(born, date(2028, 2, 28)) == 19  # 2028 is a leap year: the anniversary is the 29th
    assert age_le(born, date(2028, 2, 29)) == 20
    assert age_le(born, date(2100, 2, 28)) == 92  # 2100 is a common year (Gregorian: not divisible by 400)


def test_neighbours_of_29_february_keep_their_own_day() -> None:
    assert age_le(date(2008, 2, 28), date(2026, 2, 27)) == 17
    assert age_le(date(2008, 2, 28), date(2026, 2, 28)) == 18
    assert age_le(date(2008, 3, 1), date(2026, 2, 28)) == 17
    assert age_le(date(2008, 3, 1), date(2026, 3, 1)) == 18
    assert age_le(date(2008, 3, 1), date(2028, 2, 29)) == 19


def test_the_three_forms_follow_the_definition_around_every_end_of_february() -> None:
    births = [date(y, m, d) for y in (1896, 1900, 1964, 2000, 2007, 2008) for m, d in ((2, 27), (2, 28), (2, 29), (3, 1), (12, 31), (1, 1))
              if not (m == 2 and d == 29 and y in (1900, 2007))]
    days = [date(y, 2, 20) + timedelta(days=k) for y in (1900, 1999, 2000, 2025, 2026, 2027, 2028, 2100) for k in range(14)]
    pairs = [(b, d) for b in births for d in days if d >= b]
    frame = pl.DataFrame({"date_naissance": [b for b, _ in pairs], "date": [d for _, d in pairs]})
    expected = [_by_definition(b, d) for b, d in pairs]
    assert frame.select(age_expr()).to_series().to_list() == expected
    ymd = frame.select(pl.all().dt.strftime("%Y%m%d").cast(pl.Int32))
    assert ymd.select(full_years_ymd(pl.col("date_naissance"), pl.col("date"))).to_series().to_list() == expected
    assert [age_le(b, d) for b, d in pairs[:40]] == expected[:40]


def test_null_dates_give_no_age() -> None:
    frame = pl.DataFrame({"date_naissance": [None, date(2000, 1, 1)], "date": [date(2026, 1, 1), None]}, schema={"date_naissance": pl.Date, "date": pl.Date})
    assert frame.select(age_expr()).to_series().to_list() == [None, None]
