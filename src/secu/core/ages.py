"""Full years of age: the one rule every branch counts ages with.

A person has A full years on the day of their A-th anniversary and after. Someone born on 29 February has,
in a common year, their anniversary on **28 February**: no text of the code de la sécurité sociale, of the
CASF or of the code civil says when; secu reads by analogy the code de procédure civile, art. 641, 2e alinéa
(a period counted in months or years ends on the day of the same number as its start or, when the last
month has none, on its last day) — the reading ``secu.register.rules.c2s_fin_maximale`` applies to the
C2S year. So a person born on 29 February 2008 is 17 on 27 February 2026 and 18 on 28 February 2026.

Three forms of the same arithmetic, so that no branch writes a fourth:

* :func:`full_years_ymd` on integer ``YYYYMMDD`` columns (maladie's hot path reads dates that way);
* :func:`age_expr` on Polars ``Date`` columns or expressions;
* :func:`age_le` for one person (the services' single decisions), the expression itself on one row.

The arithmetic: the difference of two ``YYYYMMDD`` numbers, floor-divided by 10,000, is the count of
anniversaries passed when each one falls on the birth's month and day. Only 28 February of a common year
needs help: it is read as 29 February (no date of that year lies between them), so the anniversary of a
29 February birth is reached that day, and nobody else's changes (a birth on 28 February already counted,
one on 1 March still does not).
"""

from __future__ import annotations

from datetime import date

import polars as pl


def _common_year(year: pl.Expr) -> pl.Expr:
    """True for a year that has no 29 February (Gregorian calendar)."""
    return (year % 4 != 0) | ((year % 100 == 0) & (year % 400 != 0))


def full_years_ymd(ymd_naissance: pl.Expr, ymd_le: pl.Expr) -> pl.Expr:
    """Full years on the date ``ymd_le`` of someone born on ``ymd_naissance``, both integer ``YYYYMMDD``
    (Int32 or Int64; null for null): the module's rule (CPC art. 641 al. 2 by analogy for 29 February)."""
    # when/then: the year's test runs on the 28 February rows only (measured 3× cheaper than on every row).
    le = pl.when((ymd_le % 10_000) == 228).then(ymd_le + _common_year(ymd_le // 10_000).cast(pl.Int32)).otherwise(ymd_le)
    return (le - ymd_naissance) // 10_000


def _ymd(day: pl.Expr) -> pl.Expr:
    return day.dt.year().cast(pl.Int32) * 10_000 + day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)


def age_expr(naissance: str | pl.Expr = "date_naissance", le: str | pl.Expr = "date") -> pl.Expr:
    """Full years on the date ``le`` of someone born on ``naissance`` (Date column names or expressions), Int32."""
    born = pl.col(naissance) if isinstance(naissance, str) else naissance
    day = pl.col(le) if isinstance(le, str) else le
    return full_years_ymd(_ymd(born), _ymd(day))


def age_le(naissance: date, le: date) -> int:
    """Full years of one person on one date: :func:`age_expr` on one row, not a second implementation."""
    return int(pl.select(age_expr(pl.lit(naissance), pl.lit(le))).item())
