"""The estimation (issue 14 item 5): the projection of the future years, the dates d'effet, the assumption's parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.retraite.estimation import Hypothese, date_effet_a, hypothese_de, projeter, trimestres_au


@pytest.mark.parametrize(("naissance", "mois", "effet"), [
    (date(1965, 3, 15), 62 * 12 + 9, date(2028, 1, 1)),  # 62 ans 9 mois on 15 December 2027: the 1st of the next month
    (date(1963, 6, 1), 62 * 12 + 9, date(2026, 3, 1)),  # reached on a 1st: that day
    (date(1964, 2, 29), 63 * 12, date(2027, 3, 1)),  # born on 29 February: 28 February in a common year (core.ages), then 1 March
    (date(1970, 12, 20), 67 * 12, date(2038, 1, 1)),
])
def test_a_pension_takes_effect_on_the_first_day_of_a_month(naissance: date, mois: int, effet: date) -> None:
    """CSS R. 351-37: the date d'entrée en jouissance is the first day of a month (not before the age is reached)."""
    assert date_effet_a(naissance, mois) == effet


def test_the_projection_grows_the_salary_and_keeps_the_past() -> None:
    passe = pl.DataFrame({"personne": [7, 7], "annee": [2024, 2025], "salaire": [2_800_000, 2_900_000]},
                         schema={"personne": pl.Int64, "annee": pl.Int32, "salaire": pl.Int64}).with_columns(
        pl.lit(0, pl.Int64).alias("salaire_avpf"), pl.lit(1, pl.Int64).alias("trimestres_assimiles"), pl.lit(0, pl.Int64).alias("trimestres_autres_regimes"))
    frame = projeter(passe, Hypothese(None, Decimal("0.015")), 2026, 2029, 3_000_000)
    assert frame["annee"].to_list() == [2024, 2025, 2026, 2027, 2028, 2029]
    # 30 000 € × 1,015^k, rounded half up to the cent: 30 450,00 ; 30 906,75 ; 31 370,35125 → 31 370,35
    assert frame["salaire"].to_list() == [2_800_000, 2_900_000, 3_000_000, 3_045_000, 3_090_675, 3_137_035]
    assert frame["trimestres_assimiles"].to_list() == [1, 1, 0, 0, 0, 0]
    assert (frame["personne"] == 7).all()
    constant = projeter(passe, Hypothese(), 2026, 2027, 3_000_000)
    assert constant["salaire"].to_list()[-2:] == [3_000_000, 3_000_000]


def test_the_quarters_before_a_date_count_the_years_before_and_the_quarters_wholly_before() -> None:
    annees = pl.DataFrame({"annee": [2026, 2027, 2028], "trimestres_rg": [4, 4, 4]})
    assert trimestres_au(annees, date(2028, 1, 1), "trimestres_rg") == 8
    assert trimestres_au(annees, date(2028, 5, 1), "trimestres_rg") == 9  # January-March 2028 wholly before 1 May
    assert trimestres_au(annees, date(2028, 10, 1), "trimestres_rg") == 11
    assert trimestres_au(annees, date(2030, 1, 1), "trimestres_rg") == 12


def test_the_assumption_as_typed() -> None:
    assert hypothese_de("32 000,50", "1,5") == Hypothese(3_200_050, Decimal("0.015"))
    assert hypothese_de(None, None) == Hypothese(None, Decimal(0))
    for salaire, evolution, field in (("douze", "0", "salaire"), ("-1", "0", "salaire"), ("30000", "abc", "evolution"), ("30000", "12", "evolution"),
                                      ("30000", "1.234", "evolution")):
        with pytest.raises(InvalidField) as refused:
            hypothese_de(salaire, evolution)
        assert refused.value.field == field

