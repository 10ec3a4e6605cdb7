"""secu.core.bareme: the amount of a base under a barème, scalar and vectorised, against a Decimal reference."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secu.core.bareme import Bareme, Tranche, bareme_expr, bareme_parts_expr
from secu.core.money import RATE_DTYPE


def reference_amount(base_cents: int, seuils_cents: list[int], taux: list[Decimal], rounding: str) -> int:
    """The barème read as the law writes it, in Decimal euros: Σ taux × (part of the base in the tranche)."""
    with localcontext() as context:
        context.prec = 80
        base = Decimal(base_cents) / 100
        total = Decimal(0)
        for index, rate in enumerate(taux):
            low = Decimal(seuils_cents[index]) / 100
            high = Decimal(seuils_cents[index + 1]) / 100 if index + 1 < len(seuils_cents) else None
            top = base if high is None else min(base, high)
            total += rate * max(Decimal(0), top - low)
        return int((total * 100).quantize(Decimal(1), rounding=rounding))


@st.composite
def baremes(draw: st.DrawFn) -> tuple[list[int], list[Decimal]]:
    count = draw(st.integers(1, 6))
    steps = draw(st.lists(st.integers(1, 10_000_00), min_size=count - 1, max_size=count - 1))
    seuils = [0]
    for step in steps:
        seuils.append(seuils[-1] + step)
    taux = [Decimal(draw(st.integers(0, 10**9))).scaleb(-9) for _ in range(count)]
    return seuils, taux


def bareme_of(seuils: list[int], taux: list[Decimal]) -> Bareme:
    return Bareme(tuple(Tranche(Decimal(s) / 100, t) for s, t in zip(seuils, taux, strict=True)), "eur")


def frame_of(bases: list[int | None], seuils: list[int], taux: list[Decimal]) -> pl.DataFrame:
    columns: dict[str, pl.Series] = {"base": pl.Series(bases, dtype=pl.Int64)}
    for i, (s, t) in enumerate(zip(seuils, taux, strict=True), start=1):
        columns[f"s{i}"] = pl.Series([s] * len(bases), dtype=pl.Int64)
        columns[f"t{i}"] = pl.Series([t] * len(bases), dtype=RATE_DTYPE)
    return pl.DataFrame(columns)


ROUNDINGS = {"plus_proche": ROUND_HALF_UP, "inferieur": ROUND_DOWN}


@settings(max_examples=300, deadline=None)
@given(baremes(), st.lists(st.integers(-1_000_00, 100_000_000_00), min_size=1, max_size=8), st.sampled_from(list(ROUNDINGS)))
def test_scalar_and_vectorised_amounts_equal_the_decimal_reading(bareme: tuple[list[int], list[Decimal]], bases: list[int], arrondi: str) -> None:
    seuils, taux = bareme
    expected = [reference_amount(b, seuils, taux, ROUNDINGS[arrondi]) for b in bases]
    scalar = bareme_of(seuils, taux)
    assert [scalar.montant(b, arrondi=arrondi) for b in bases] == expected
    count = len(seuils)
    frame = frame_of(list(bases), seuils, taux)
    got = frame.select(bareme_expr(pl.col("base"), [pl.col(f"s{i}") for i in range(1, count + 1)],
                                   [pl.col(f"t{i}") for i in range(1, count + 1)], arrondi=arrondi))["bareme"].to_list()
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(baremes(), st.integers(0, 100_000_000_00))
def test_parts_add_up_exactly_to_the_amount_before_its_one_rounding(bareme: tuple[list[int], list[Decimal]], base: int) -> None:
    seuils, taux = bareme
    parts = bareme_of(seuils, taux).parts(base)
    assert [p.numero for p in parts] == list(range(1, len(seuils) + 1))
    assert sum(p.assiette for p in parts) == base  # the tranches cover the base from 0, without overlap
    exact = sum((p.montant for p in parts), Decimal(0))
    assert int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)) == bareme_of(seuils, taux).montant(base)
    count = len(seuils)
    vector = frame_of([base], seuils, taux).select(
        bareme_parts_expr(pl.col("base"), [pl.col(f"s{i}") for i in range(1, count + 1)], [pl.col(f"t{i}") for i in range(1, count + 1)])
    ).row(0)
    assert list(vector) == [int(p.montant.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for p in parts]


def test_worked_example_d553_1() -> None:
    """Arrêté du 20 décembre 2019, art. 5: 25 % from 266 €, 35 % from 397 €, 45 % from 594 €, 60 % from 793 €.

    On a weighted income of 1 000 €: 25 % × 131 + 35 % × 197 + 45 % × 199 + 60 % × 207
    = 32,75 + 68,95 + 89,55 + 124,20 = 315,45 € (by hand).
    """
    bareme = bareme_of([0, 266_00, 397_00, 594_00, 793_00], [Decimal(0), Decimal("0.25"), Decimal("0.35"), Decimal("0.45"), Decimal("0.60")])
    assert bareme.montant(1000_00) == 315_45
    parts = bareme.parts(1000_00)
    assert [(p.seuil, p.plafond, p.assiette) for p in parts] == [
        (0, 266_00, 266_00), (266_00, 397_00, 131_00), (397_00, 594_00, 197_00), (594_00, 793_00, 199_00), (793_00, None, 207_00)]
    assert [p.montant for p in parts] == [0, Decimal("3275.00"), Decimal("6895.00"), Decimal("8955.00"), Decimal("12420.00")]
    assert bareme.montant(265_99) == 0 and bareme.montant(-5) == 0


def test_one_rounding_of_the_sum_not_of_each_part() -> None:
    # 50 % of 1 cent in each of two tranches: 0,5 + 0,5 = 1 cent, while each part rounded half-up would give 2.
    bareme = bareme_of([0, 1, 2], [Decimal("0.5"), Decimal("0.5"), Decimal("0")])
    assert bareme.montant(2) == 1
    assert [int(p.montant.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for p in bareme.parts(2)] == [1, 1, 0]
    assert bareme.montant(3, arrondi="inferieur") == 1
    with pytest.raises(ValueError, match="arrondi inconnu"):
        bareme.montant(3, arrondi="bancaire")
