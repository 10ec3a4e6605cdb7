"""The répertoire's conditions of age, from dated parameters.

* a child is attached as ayant droit while a minor: age below ``ayant_droit.age_limite``
  (18, majorité civile; CSS L. 160-2);
* the assuré a child is attached to is at least ``ayant_droit.age_minimum_ouvrant_droit`` old;
* a child may hold their own carte Vitale from ``carte_vitale.age_minimum`` (12);
* a C2S right is attributed for ``c2s.duree_mois`` months (12; CSS L. 861-5): :func:`c2s_fin_maximale`.

Ages are full years reached on the row's date, by the one rule of :mod:`secu.core.ages` (someone born on
29 February reaches their age on 28 February in a common year: code de procédure civile, art. 641 al. 2, by
analogy; :func:`secu.core.ages.age_le` applies it to one person).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from secu.core.ages import age_expr
from secu.core.parameters import FrameT, join_parameters

AGE_LIMITE_AYANT_DROIT = "ayant_droit.age_limite"
AGE_MINIMUM_OUVRANT_DROIT = "ayant_droit.age_minimum_ouvrant_droit"
AGE_MINIMUM_CARTE_VITALE = "carte_vitale.age_minimum"
PARAMETRES = (AGE_LIMITE_AYANT_DROIT, AGE_MINIMUM_OUVRANT_DROIT, AGE_MINIMUM_CARTE_VITALE)
DUREE_C2S = "c2s.duree_mois"


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


def c2s_fin_maximale(frame: FrameT) -> FrameT:
    """Add ``c2s_fin_maximale``: the last day of a C2S right opened on ``date_debut`` (CSS L. 861-5).

    A period of N months (``c2s.duree_mois``, in force on ``date_debut``) opened on the J ends on the eve of the J,
    N months later (the 31 January of a right opened on 1 February of the year before; 28 or 29 February
    for one opened on 1 March). When that month has no J (a right opened on 29 February or on the 31st), the
    period runs to its last day (code de procédure civile, art. 641, read by analogy).
    """
    debut = pl.col("date_debut")
    meme_jour = debut.dt.offset_by(pl.format("{}mo", pl.col("c2s_duree_mois")))  # clamped to the month's last day
    fin = pl.when(meme_jour.dt.day() == debut.dt.day()).then(meme_jour.dt.offset_by("-1d")).otherwise(meme_jour)
    return join_parameters(frame, [DUREE_C2S], on="date_debut").with_columns(c2s_fin_maximale=fin)
