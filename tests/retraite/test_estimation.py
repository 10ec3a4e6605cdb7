"""The estimation (issue 14 item 5): the projection of the future years, the dates d'effet, the assumption's parsing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.retraite.estimation import Hypothese, SalairePasse, SimulationIn, date_effet_a, hypothese_de, projeter, simuler, trimestres_au


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



# --------------------------------------------------------------------------
# The three dates and pensions (through pension_droit_propre)

AUJOURD_HUI = date(2026, 12, 8)


def test_a_full_career_born_in_1966_reaches_taux_plein_after_the_age_legal() -> None:
    """Born 10 May 1966: âge légal 63 ans 3 mois and 172 quarters for pensions from 1 September 2026 (LFSS 2026,
    loi n° 2025-1403; fact sheet §2.4). 4 quarters a year from 1988: 164 by the end of 2028, 166 on 1 September 2029
    (its âge légal, date d'effet the 1st of the month after, R. 351-37) — 6 missing, the décote 6 × 0,625 point
    (D. 351-1-2): taux 46,25 %; 172 on 1 January 2031: taux plein; at 67 (1 June 2033), 9 quarters beyond: surcote."""
    data = SimulationIn(date_naissance=date(1966, 5, 10), salaires=[SalairePasse(annee=a, salaire_cents=4_000_000) for a in range(1988, 2026)],
                        salaire_cents=4_000_000)
    result = simuler(data, aujourd_hui=AUJOURD_HUI)
    legal, plein, a67 = result["scenarios"]
    assert (result["age_legal_mois"], result["duree_requise"], result["date_taux_plein"]) == (63 * 12 + 3, 172, date(2031, 1, 1))
    assert (legal["date_effet"], legal["trimestres"], legal["decote_trimestres"], legal["taux_pourcent"]) == (date(2029, 9, 1), 166, 6, "46.25")
    assert (plein["date_effet"], plein["trimestres"], plein["decote_trimestres"], plein["taux_pourcent"]) == (date(2031, 1, 1), 172, 0, "50")
    assert (a67["date_effet"], a67["trimestres"], a67["surcote_trimestres"]) == (date(2033, 6, 1), 181, 9)
    assert legal["pension_mensuelle_cents"] < plein["pension_mensuelle_cents"] < a67["pension_mensuelle_cents"]
    assert legal["sam_cents"] == plein["sam_cents"]  # the same 25 best years: the later ones add none better


def test_the_simulator_with_a_sam_and_quarters_reaches_taux_plein_only_at_67() -> None:
    """Born 14 May 1970: âge légal 64 (fact sheet §2.4), 172 quarters. 120 quarters at the end of 2025, 4 a year after:
    153 on 1 June 2034 — the décote is the lesser count (D. 351-1-2): 12 quarters to 67 rather than 19 to the durée,
    taux 50 − 12 × 0,625 = 42,5 %; the durée is not reached by 67: taux plein on 1 June 2037, age d'annulation."""
    data = SimulationIn(date_naissance=date(1970, 5, 14), trimestres=120, sam_cents=3_000_000, salaire_cents=3_500_000)
    result = simuler(data, aujourd_hui=AUJOURD_HUI)
    legal, plein, a67 = result["scenarios"]
    assert (legal["date_effet"], legal["trimestres"], legal["decote_trimestres"], legal["taux_pourcent"]) == (date(2034, 6, 1), 153, 12, "42.5")
    assert result["date_taux_plein"] == plein["date_effet"] == a67["date_effet"] == date(2037, 6, 1)
    assert {s["sam_cents"] for s in result["scenarios"]} == {3_000_000}


@pytest.mark.parametrize(("changes", "field"), [
    ({"salaires": [SalairePasse(annee=2010, salaire_cents=1)]}, "salaires"),  # both a SAM and salaries
    ({"sam_cents": None}, "salaires"),  # neither
    ({"date_naissance": date(2030, 1, 1)}, "date_naissance"),
    ({"date_naissance": date(1950, 1, 1)}, "date_naissance"),  # 67 is past: the estimation is of a future departure
    ({"trimestres_rg": 130}, "trimestres_rg"),
])
def test_the_simulator_names_the_field_of_a_wrong_input(changes: dict, field: str) -> None:  # type: ignore[type-arg]
    data = SimulationIn(date_naissance=date(1970, 5, 14), trimestres=120, sam_cents=3_000_000, salaire_cents=3_500_000).model_copy(update=changes)
    with pytest.raises(InvalidField) as refused:
        simuler(data, aujourd_hui=AUJOURD_HUI)
    assert refused.value.field == field


def test_a_legal_age_already_past_is_estimated_from_next_month() -> None:
    """Born 14 May 1962: âge légal 62 ans 6 mois (fact sheet §2.4), reached in November 2024; on 8 December 2026 the
    first departure still to come is 1 January 2027, the quarters cotisés since the âge légal count for the surcote."""
    data = SimulationIn(date_naissance=date(1962, 5, 14), trimestres=175, sam_cents=3_000_000, salaire_cents=3_500_000)
    legal, plein, a67 = simuler(data, aujourd_hui=AUJOURD_HUI)["scenarios"]
    assert legal["date_effet"] == plein["date_effet"] == date(2027, 1, 1)
    assert a67["date_effet"] == date(2029, 6, 1)
    # 175 + the 4 of 2026, worked after the âge légal with the durée (169) already reached: 4 quarters of surcote
    # (L. 351-1-2); the 175 given are taken as before the âge légal
    assert (legal["trimestres"], legal["decote_trimestres"], legal["surcote_trimestres"]) == (179, 0, 4)
