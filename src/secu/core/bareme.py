"""Barèmes: brackets of threshold and rate, as the law writes them ("25 % de la tranche comprise entre … et …").

A barème is a list of tranches: tranche *i* starts at its ``seuil`` and runs
up to the next tranche's ``seuil`` (the last one has no end); the part of a
base that falls in a tranche is taxed at the tranche's ``taux``. The amount of
a base under the barème is the sum of those parts.

Exactness. Bases and thresholds are integers in the base's own unit (cents
for a barème whose ``unit_seuil`` is ``eur``), rates carry at most 9 decimals
(``RATE_DTYPE``), so each part is an exact integer over ``RATE_UNIT``. The
parts are added exactly and the sum is rounded **once**, by the rounding the
caller names (``"plus_proche"``: half away from zero; ``"inferieur"``: toward
zero, the "centime inférieur" of non-negative amounts). A base below the
first threshold (0) or negative falls in no tranche and gives 0.

Two twins compute the same thing:

* :meth:`Bareme.montant` / :meth:`Bareme.parts` on one base (Python ints), for
  services and for the explanation steps (each tranche's base and exact part);
* :func:`bareme_expr` / :func:`bareme_parts_expr` on Polars expressions, the
  thresholds and rates given as columns (``join_parameters`` joins a barème
  parameter as ``<column>_seuil_<i>`` and ``<column>_taux_<i>``: see
  ``secu.core.parameters.bareme_columns``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from secu.core.money import (
    RATE_DTYPE,
    RATE_EXPR_SCALE,
    RATE_UNIT,
    div_half_up,
    div_half_up_expr,
    div_toward_zero,
    div_toward_zero_expr,
    rate_fraction,
)

ARRONDIS = ("plus_proche", "inferieur")
"""The roundings a barème's amount may take: au plus proche (half away from zero) or inférieur (toward zero)."""


@dataclass(frozen=True, slots=True)
class Tranche:
    """One bracket: from ``seuil`` (in the barème's ``unit_seuil``, euros for ``eur``) up, at ``taux``."""

    seuil: Decimal | int
    taux: Decimal


@dataclass(frozen=True, slots=True)
class PartTranche:
    """What one tranche takes from a base: for an explanation step.

    ``assiette`` is the part of the base within the tranche and ``montant`` its
    exact product by ``taux``, both in the base's unit (cents for euros);
    ``montant`` is not rounded: the barème's amount is the rounded sum.
    """

    numero: int
    seuil: int
    plafond: int | None
    taux: Decimal
    assiette: int
    montant: Decimal


@dataclass(frozen=True, slots=True)
class Bareme:
    """The value of a barème parameter on one date: its tranches, thresholds increasing from 0."""

    tranches: tuple[Tranche, ...]
    unit_seuil: str
    """Unit of the thresholds; ``eur`` thresholds are compared with bases in cents."""

    def seuils(self) -> tuple[int, ...]:
        """The thresholds in the base's unit: cents for ``eur``, as they are for the other units."""
        if self.unit_seuil in ("eur", "eur_par_heure"):
            return tuple(int(Decimal(t.seuil) * 100) for t in self.tranches)  # exact: 2 decimals at most
        return tuple(int(t.seuil) for t in self.tranches)

    def parts(self, base: int) -> tuple[PartTranche, ...]:
        """Each tranche's share of ``base`` (in the base's unit), tranches the base does not reach included, at 0."""
        seuils = self.seuils()
        parts = []
        for index, tranche in enumerate(self.tranches):
            plafond = seuils[index + 1] if index + 1 < len(seuils) else None
            assiette = _assiette(base, seuils[index], plafond)
            numerator, k = rate_fraction(tranche.taux)
            parts.append(PartTranche(index + 1, seuils[index], plafond, tranche.taux, assiette,
                                     Decimal(f"{assiette * numerator}e-{k}")))
        return tuple(parts)

    def montant(self, base: int, *, arrondi: str = "plus_proche") -> int:
        """The amount of ``base`` under the barème: the exact sum of the parts, rounded once by ``arrondi``."""
        _check_arrondi(arrondi)
        seuils = self.seuils()
        total = 0
        for index, tranche in enumerate(self.tranches):
            plafond = seuils[index + 1] if index + 1 < len(seuils) else None
            total += _assiette(base, seuils[index], plafond) * _rate_numerator(tranche.taux)
        return div_half_up(total, RATE_UNIT) if arrondi == "plus_proche" else div_toward_zero(total, RATE_UNIT)


def _rate_numerator(taux: Decimal) -> int:
    """The rate as an integer over RATE_UNIT, exactly (the loader allows 9 decimals at most)."""
    numerator, k = rate_fraction(taux)
    if k > RATE_EXPR_SCALE:
        raise ValueError(f"taux {taux} : {RATE_EXPR_SCALE} décimales au plus")
    return numerator * int(10 ** (RATE_EXPR_SCALE - k))


def _assiette(base: int, seuil: int, plafond: int | None) -> int:
    top = base if plafond is None else min(base, plafond)
    return max(0, top - seuil)


def _check_arrondi(arrondi: str) -> None:
    if arrondi not in ARRONDIS:
        raise ValueError(f"arrondi inconnu : {arrondi!r} (plus_proche ou inferieur)")


# --------------------------------------------------------------------------
# Vectorised twin


def _scaled_parts(base: pl.Expr, seuils: Sequence[pl.Expr], taux: Sequence[pl.Expr]) -> list[pl.Expr]:
    """Each tranche's part × RATE_UNIT, an exact Int128; a tranche whose seuil is null (absent that date) gives 0.

    A null next seuil means the tranche is the last one in force that date: it has no end.
    """
    if len(seuils) != len(taux) or not seuils:
        raise ValueError("un barème a autant de seuils que de taux, et au moins une tranche")
    amount = base.cast(pl.Int128)
    parts = []
    for index, (seuil, rate) in enumerate(zip(seuils, taux, strict=True)):
        low = seuil.cast(pl.Int128)
        top = amount
        if index + 1 < len(seuils):
            high = seuils[index + 1].cast(pl.Int128)
            top = pl.when(high.is_null()).then(amount).otherwise(pl.min_horizontal(amount, high))
        assiette = (top - low).clip(lower_bound=0)
        numerator = (rate.cast(RATE_DTYPE) * RATE_UNIT).cast(pl.Int128)
        parts.append(pl.when(low.is_null()).then(pl.lit(0, pl.Int128)).otherwise(assiette * numerator))
    return parts


def _rounded(scaled: pl.Expr, arrondi: str) -> pl.Expr:
    _check_arrondi(arrondi)
    divide = div_half_up_expr if arrondi == "plus_proche" else div_toward_zero_expr
    return divide(scaled, pl.lit(RATE_UNIT, pl.Int128)).cast(pl.Int64, strict=True)


def bareme_expr(base: pl.Expr, seuils: Sequence[pl.Expr], taux: Sequence[pl.Expr], *, arrondi: str = "plus_proche") -> pl.Expr:
    """Polars twin of Bareme.montant: the amount of ``base`` (Int64, cents for euros) as Int64, rounded once.

    ``seuils`` and ``taux`` are the tranches' columns, in order (integer
    thresholds in the base's unit, rates Decimal(38, 9)). A null base gives null.
    """
    total = _rounded(pl.sum_horizontal(_scaled_parts(base, seuils, taux)), arrondi)
    return pl.when(base.is_null()).then(None).otherwise(total).alias("bareme")


def bareme_parts_expr(base: pl.Expr, seuils: Sequence[pl.Expr], taux: Sequence[pl.Expr], *, arrondi: str = "plus_proche") -> list[pl.Expr]:
    """Each tranche's part of ``base``, each rounded by ``arrondi``: for explanation steps.

    Each part is rounded on its own, so their sum may differ from bareme_expr
    (the exact sum rounded once, which is the amount) by up to a cent per tranche.
    """
    return [_rounded(part, arrondi).alias(f"part_{i}") for i, part in enumerate(_scaled_parts(base, seuils, taux), start=1)]
