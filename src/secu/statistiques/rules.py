"""Secret statistique: no aggregate that leaves secu may single anyone out.

A cell (a count of persons, and what it adds up about them) that counts from 1 to ``seuil − 1``
persons is hidden: its count and every column that would reveal those persons become null, and
``secret`` says so. An empty cell (0) is published: it reveals no one. The threshold is the dated
parameter ``secret_statistique.seuil`` (11 today: the « aucune case de moins de 11 » rule of health
data, see its YAML for the texts), taken at the date the aggregate is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from secu.core.parameters import FrameT, join_parameters, parameters

SEUIL = "secret_statistique.seuil"
_SEUIL_COLUMN = SEUIL.replace(".", "_")


def seuil(on: date) -> int:
    """The smallest count a published cell may show, on a date of publication."""
    value = parameters().get(SEUIL).at(on).value
    assert isinstance(value, int)
    return value


def secret_statistique(
    cells: FrameT, *, effectif: str = "effectif", masquer: Sequence[str] = (), on: str = "date"
) -> FrameT:
    """Hide the cells of 1 to ``seuil − 1`` persons: ``effectif`` and the ``masquer`` columns become null.

    ``cells`` has one row per published cell, a count of persons in ``effectif`` and the date of
    publication in ``on``; the answer adds a boolean ``secret`` and keeps every other column.
    """
    small = (pl.col(effectif) > 0) & (pl.col(effectif) < pl.col(_SEUIL_COLUMN))
    hidden = [pl.when(pl.col("secret")).then(None).otherwise(pl.col(name)).alias(name) for name in (effectif, *masquer)]
    return (
        join_parameters(cells, [SEUIL], on=on)
        .with_columns(small.alias("secret"))
        .with_columns(hidden)
        .drop(_SEUIL_COLUMN)
    )
