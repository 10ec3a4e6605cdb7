"""The allocation veuvage (L. 356-1 to L. 356-4, D. 356-1, D. 356-2, D. 356-3, D. 356-5).

Sources of the expected amounts:

* the monthly amount and the quarterly ceiling, 3,75 × the amount: 697,82 € and 2 616,83 € in 2024
  (la-retraite-en-clair.fr, 18/04/2024: « Ne pas dépasser 2 616,83 de ressources sur les 3 derniers mois »),
  713,17 € and 2 674,39 € in 2025 (fiche de référence §2.9, retraite.com);
* the reduction: « Si la somme de l'allocation et des revenus dépasse le plafond, l'allocation est réduite »
  (la-retraite-en-clair.fr) — the quarter's resources plus three months of allocation, the excess taken off;
* the duration: « moins de 50 ans au moment du décès, elle vous est versée pendant 2 ans ; au moins 50 ans …
  jusqu'à vos 55 ans » (la-retraite-en-clair.fr, 2024; D. 356-5: « pendant une période maximum de deux ans »);
* the earnings of an activity begun during the payment: « abattement de 100 % au cours des trois premiers mois,
  puis d'un abattement de 50 % pendant les neuf mois suivants » (D. 356-3, 3°, codes-et-lois.fr).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.retraite.explication_solidarite import etapes_veuvage
from secu.retraite.rules.veuvage import allocation_veuvage


def _row(**kwargs: object) -> dict:
    base = {"date_deces": date(2025, 2, 10), "naissance": date(1980, 6, 1), "mois": date(2025, 6, 1), "mois_affiliation_defunt": 12,
            "ressources_trimestre": 0}
    base.update(kwargs)
    return base


def _calc(*rows: dict) -> list[dict]:
    return allocation_veuvage(pl.DataFrame(list(rows))).to_dicts()


def test_quarterly_ceilings_are_3_75_times_the_amount():
    a2024, a2025 = _calc(_row(date_deces=date(2024, 2, 10), mois=date(2024, 6, 1)), _row())
    assert (a2024["veuvage_montant"], a2024["plafond_trimestriel"]) == (697_82, 2_616_83)
    assert (a2025["veuvage_montant"], a2025["plafond_trimestriel"]) == (713_17, 2_674_39)


def test_full_allocation_without_resources():
    (row,) = _calc(_row())
    assert row["droit"] and row["allocation_mensuelle"] == 713_17


def test_allocation_veuvage_reduced_by_the_excess_over_the_ceiling():
    # 2025: 1 000 € of resources in the quarter + 3 × 713,17 € = 3 139,51 € > 2 674,39 €: excess 465,12 €,
    # 155,04 € less each month: 558,13 €.
    (row,) = _calc(_row(ressources_trimestre=1_000_00))
    assert row["depassement"] == 465_12
    assert row["reduction_mensuelle"] == 155_04
    assert row["allocation_mensuelle"] == 558_13


def test_resources_above_the_ceiling_leave_nothing():
    (row,) = _calc(_row(ressources_trimestre=2_700_00))
    assert row["allocation_mensuelle"] == 0


def test_two_years_under_50_and_until_55_from_50():
    young, older = _calc(_row(mois=date(2027, 1, 1)), _row(naissance=date(1973, 1, 15), mois=date(2027, 6, 1)))
    assert young["fin_droit"] == date(2027, 2, 1) and young["en_periode"] and young["allocation_mensuelle"] == 719_58
    (after,) = _calc(_row(mois=date(2027, 2, 1)))
    assert not after["en_periode"] and after["allocation_mensuelle"] == 0
    assert older["age_deces"] == 52 and older["fin_droit"] == date(2028, 1, 15) and older["en_periode"]


def test_conditions_age_affiliation_remarriage():
    trop_age, peu_affilie, remarie = _calc(_row(naissance=date(1965, 1, 1)), _row(mois_affiliation_defunt=2), _row(remarie=True))
    assert not trop_age["condition_age"] and trop_age["allocation_mensuelle"] == 0
    assert "réversion" in etapes_veuvage(trop_age)[0]["etape"]
    assert not peu_affilie["condition_affiliation"] and peu_affilie["allocation_mensuelle"] == 0
    assert not remarie["condition_situation"] and remarie["allocation_mensuelle"] == 0


def test_earnings_of_an_activity_begun_during_the_payment():
    # D. 356-3, 3°: activity from May 2025 (first day of the following month: 2025-05-01). In June (2nd month) the
    # 1 500 € earned are not counted; in September (5th month) half of them: 750 €.
    juin, septembre, treizieme = _calc(
        _row(mois=date(2025, 6, 1), ressources_trimestre=1_500_00, revenus_reprise_trimestre=1_500_00, debut_reprise=date(2025, 5, 1)),
        _row(mois=date(2025, 9, 1), ressources_trimestre=1_500_00, revenus_reprise_trimestre=1_500_00, debut_reprise=date(2025, 5, 1)),
        _row(mois=date(2026, 5, 1), ressources_trimestre=1_500_00, revenus_reprise_trimestre=1_500_00, debut_reprise=date(2025, 5, 1)),
    )
    assert juin["ressources_retenues"] == 0 and juin["allocation_mensuelle"] == 713_17
    assert septembre["ressources_retenues"] == 750_00
    assert treizieme["rang_mois_reprise"] == 13 and treizieme["ressources_retenues"] == 1_500_00


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mois": date(2025, 1, 1)}, "mois"),
        ({"ressources_trimestre": -5}, "ressources_trimestre"),
        ({"revenus_reprise_trimestre": 100}, "revenus_reprise_trimestre"),
        ({"ressources_trimestre": 100, "revenus_reprise_trimestre": 100}, "debut_reprise"),
        ({"naissance": None}, "naissance"),
    ],
)
def test_bad_input_names_the_column(change, field):
    with pytest.raises(InvalidField) as error:
        _calc(_row(**change))
    assert error.value.field == field


def test_explanation_of_a_reduced_allocation():
    (row,) = _calc(_row(ressources_trimestre=1_000_00))
    steps = etapes_veuvage(row)
    assert steps[-1]["montant_cents"] == 558_13
    assert any(s["reference"] and "D. 356-2" in s["reference"] and s["montant_cents"] == 155_04 for s in steps)
