"""The pension in payment, revalued each 1 January (CSS L. 161-23-1, L. 161-25).

The pension liquidated on its date d'effet (its salaries revalued by the column of that year, L. 351-11) is
revalued by every coefficient of ``revalorisation_pension.coefficient`` whose date is AFTER the date d'effet and
not after the month paid: a pension taking effect on 1 January does not receive that day's revaluation, one
taking effect later in the year receives the next one in full (CNAV practice). Each revaluation multiplies the
monthly amount and rounds it, half up, to the cent, one after the other.
"""

from __future__ import annotations

import polars as pl

from secu.core.errors import InvalidField
from secu.core.money import apply_rate_expr
from secu.core.parameters import parameters

COEFFICIENT = "revalorisation_pension.coefficient"


def pension_en_service(pensions: pl.DataFrame) -> pl.DataFrame:
    """Each row's monthly pension for the month ``mois``.

    Input: ``date_effet`` (Date), ``mois`` (Date, any day of the month paid), ``pension_mensuelle`` (Int64 cents,
    at the date d'effet). Output, the input plus ``revalorisations`` (how many were applied),
    ``pension_mensuelle_revalorisee`` (cents) and ``revalorisation_reference`` (the text of the last one applied,
    null when none). A month before the date d'effet's month is refused.
    """
    for column in ("date_effet", "mois", "pension_mensuelle"):
        if column not in pensions.columns:
            raise InvalidField(column, f"colonne obligatoire absente : {column}")
        if pensions.get_column(column).null_count():
            raise InvalidField(column, f"{column} est vide sur au moins une ligne")
    frame = pensions.with_columns(pl.col("date_effet").cast(pl.Date), pl.col("mois").cast(pl.Date), pl.col("pension_mensuelle").cast(pl.Int64))
    if frame.select((pl.col("pension_mensuelle") < 0).any()).item():
        raise InvalidField("pension_mensuelle", "pension_mensuelle ne peut pas être négative")
    if frame.select((pl.col("mois").dt.month_start() < pl.col("date_effet").dt.month_start()).any()).item():
        raise InvalidField("mois", "le mois payé précède la date d'effet de la pension")
    fin_du_mois = pl.col("mois").dt.month_end()
    montant = pl.col("pension_mensuelle")
    nombre = pl.lit(0, dtype=pl.Int64)
    reference = pl.lit(None, dtype=pl.String)
    for valeur in parameters().get(COEFFICIENT).values:
        if valeur.value is None:
            continue
        jour = pl.lit(valeur.date_effet, dtype=pl.Date)
        applique = (pl.col("date_effet") < jour) & (jour <= fin_du_mois)
        montant = pl.when(applique).then(apply_rate_expr(montant, str(valeur.value))).otherwise(montant)
        nombre = nombre + applique.cast(pl.Int64)
        reference = pl.when(applique).then(pl.lit(valeur.reference)).otherwise(reference)
    return frame.with_columns(nombre.alias("revalorisations"), montant.alias("pension_mensuelle_revalorisee"),
                              reference.alias("revalorisation_reference"))
