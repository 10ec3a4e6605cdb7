"""The household's resources computed by rules: the net catégoriel of salaries and the biactivité (one home per rule).

Expected values by hand from CGI art. 83, 3° (déduction forfaitaire of 10 %, revenus 2023: at least 495 €, at
most 14 171 €, never more than the salaries) and CSS R531-9 (12 × the BMAF; 1 January 2024: 445,93 €).
"""

from __future__ import annotations

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


def test_biactivite_twelve_bmaf_each():
    # Reference year 2023: 12 × 445,93 € (BMAF in force on 1 January 2024) = 5 351,16 €.
    frame = pl.DataFrame(
        {"annee_ressources": [2023, 2023, 2023], "revenu_professionnel_1_cents": [20_000_00, 20_000_00, 20_000_00],
         "revenu_professionnel_2_cents": [5_351_16, 5_351_15, None]},
        schema_overrides={"revenu_professionnel_2_cents": pl.Int64},
    )
    out = biactivite(frame)
    assert out["seuil_biactivite_cents"].to_list() == [5_351_16] * 3
    assert out["biactif"].to_list() == [True, False, False]
