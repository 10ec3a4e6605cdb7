"""The household's resources computed by rules: the net catégoriel of salaries and the biactivité (one home per rule).

Expected values by hand from CGI art. 83, 3° (déduction forfaitaire of 10 %, revenus 2023: at least 495 €, at
most 14 171 €, never more than the salaries) and CSS R522-2 3e al. (each member at least 13,6 % of the PASS in force
on 1 January of the reference year N-2).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.famille.rules import biactivite, ressources_salaires


def test_net_categoriel_of_salaries_2023():
    frame = pl.DataFrame({"annee": [2023] * 4, "net_imposable_cents": [10_290_00, 3_000_00, 200_000_00, 400_00]})
    out = ressources_salaires(frame)
    # 10 290 € − 1 029 €; 3 000 € − 495 € (minimum); 200 000 € − 14 171 € (maximum); 400 € − 400 € (the salaries).
    assert out["frais_professionnels_cents"].to_list() == [1_029_00, 495_00, 14_171_00, 400_00]
    assert out["ressources_cents"].to_list() == [9_261_00, 2_505_00, 185_829_00, 0]


def test_net_categoriel_refuses_a_negative_salary():
    with pytest.raises(InvalidField) as refused:
        ressources_salaires(pl.DataFrame({"annee": [2023], "net_imposable_cents": [-1]}))
    assert refused.value.field == "net_imposable_cents"


@pytest.mark.parametrize(
    ("mois", "annee_ressources", "seuil"),
    [
        # 13,6 % × 41 136 € (PASS 2021, arrêté du 22 décembre 2020) = 5 594,496 € → 5 594,50 €.
        (date(2023, 5, 1), 2021, 5_594_50),
        # 13,6 % × 41 136 € (PASS 2022); service-public.fr shows « 5 594 € » for the 2024 ceilings, rounded for
        # display only: R522-2 asks « au moins égal », so 5 594,49 € does not reach 5 594,496 €.
        (date(2024, 3, 1), 2022, 5_594_50),
        (date(2025, 1, 1), 2023, 5_982_92),  # 13,6 % × 43 992 € = 5 982,912 €
        (date(2026, 12, 1), 2024, 6_306_05),  # 13,6 % × 46 368 € = 6 306,048 €
    ],
)
def test_biactivite_each_member_at_least_13_6_percent_of_the_pass_of_the_reference_year(mois, annee_ressources, seuil):
    # CSS R522-2 3e al. (décret n° 2011-1278): PASS in force on 1 January of the reference year N-2.
    frame = pl.DataFrame(
        {"mois": [mois] * 4, "annee_ressources": [annee_ressources] * 4,
         "revenu_professionnel_1_cents": [20_000_00] * 4,
         "revenu_professionnel_2_cents": [seuil, seuil - 1, None, 0]},
        schema_overrides={"annee_ressources": pl.Int32, "revenu_professionnel_2_cents": pl.Int64},
    )
    out = biactivite(frame)
    assert out["seuil_biactivite_cents"].to_list() == [seuil] * 4
    assert out["biactif"].to_list() == [True, False, False, False]


def test_biactivite_needs_the_month_of_the_right():
    frame = pl.DataFrame({"annee_ressources": [2023], "revenu_professionnel_1_cents": [1], "revenu_professionnel_2_cents": [1]})
    with pytest.raises(InvalidField) as refused:
        biactivite(frame)
    assert refused.value.field == "mois"
