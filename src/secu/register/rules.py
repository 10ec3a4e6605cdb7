"""The répertoire's conditions of age, from dated parameters.

* a child is attached as ayant droit while a minor: age below ``ayant_droit.age_limite``
  (18, majorité civile; CSS L. 160-2);
* the assuré a child is attached to is at least ``ayant_droit.age_minimum_ouvrant_droit`` old;
* a child may hold their own carte Vitale from ``carte_vitale.age_minimum`` (12).

Ages are full years reached on the row's date: a birthday counts from its own day, and someone born
on 29 February reaches their age on 1 March in a common year (the month-and-day comparison of
``secu.register.service.age_on``, which this rule reproduces column-wise).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from secu.core.parameters import FrameT, join_parameters

AGE_LIMITE_AYANT_DROIT = "ayant_droit.age_limite"
AGE_MINIMUM_OUVRANT_DROIT = "ayant_droit.age_minimum_ouvrant_droit"
AGE_MINIMUM_CARTE_VITALE = "carte_vitale.age_minimum"
PARAMETRES = (AGE_LIMITE_AYANT_DROIT, AGE_MINIMUM_OUVRANT_DROIT, AGE_MINIMUM_CARTE_VITALE)


def age_expr(naissance: str = "date_naissance", on: str = "date") -> pl.Expr:
    """Full years reached on the date ``on`` by someone born on ``naissance``."""
    born, day = pl.col(naissance), pl.col(on)
    before_birthday = (day.dt.month().cast(pl.Int32) * 100 + day.dt.day()) < (born.dt.month().cast(pl.Int32) * 100 + born.dt.day())
    return day.dt.year() - born.dt.year() - before_birthday.cast(pl.Int32)


def conditions_d_age(frame: FrameT) -> FrameT:
    """Add ``age``, ``mineur`` (may be attached as ayant droit), ``peut_ouvrir_droit`` and ``carte_vitale_possible``.

    ``frame`` has ``date_naissance`` and ``date`` (the date the condition is judged on); the parameters'
    columns stay, so a message can say the age the law sets.
    """
    return (
        join_parameters(frame, PARAMETRES, on="date")
        .with_columns(age=age_expr())
        .with_columns(
            mineur=pl.col("age") < pl.col("ayant_droit_age_limite"),
            peut_ouvrir_droit=pl.col("age") >= pl.col("ayant_droit_age_minimum_ouvrant_droit"),
            carte_vitale_possible=pl.col("age") >= pl.col("carte_vitale_age_minimum"),
        )
    )


def conditions_le(naissance: date, on: date) -> dict[str, Any]:
    """The conditions of age of one person on one date (one row of :func:`conditions_d_age`)."""
    return conditions_d_age(pl.DataFrame({"date_naissance": [naissance], "date": [on]})).row(0, named=True)
