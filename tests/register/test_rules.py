"""The répertoire's conditions of age, worked by hand from the parameters (18, 16, 12)."""

from __future__ import annotations

from datetime import date

import polars as pl

from secu.core.ages import age_le
from secu.register.rules import conditions_d_age, conditions_le

CASES = [
    # born,              judged on,          age, minor, may open rights, own carte Vitale
    (date(2008, 6, 2), date(2026, 6, 1), 17, True, True, True),  # the day before the 18th birthday: still a minor
    (date(2008, 6, 2), date(2026, 6, 2), 18, False, True, True),  # majorité on the birthday itself
    (date(2014, 6, 2), date(2026, 6, 1), 11, True, False, False),  # 11: no carte Vitale of their own yet
    (date(2014, 6, 2), date(2026, 6, 2), 12, True, False, True),
    (date(2010, 3, 5), date(2026, 3, 5), 16, True, True, True),  # 16: may have a child attached
    # Born 29 February: in a common year the 18th anniversary is 28 February, the last day of the month (code de
    # procédure civile art. 641 al. 2 read by analogy, the reading of c2s_fin_maximale; secu.core.ages).
    (date(2008, 2, 29), date(2026, 2, 27), 17, True, True, True),
    (date(2008, 2, 29), date(2026, 2, 28), 18, False, True, True),
    (date(2008, 2, 29), date(2026, 3, 1), 18, False, True, True),
]


def test_conditions_of_age_frame_and_scalar_agree_with_the_hand_computation() -> None:
    frame = pl.DataFrame({"date_naissance": [c[0] for c in CASES], "date": [c[1] for c in CASES]})
    out = conditions_d_age(frame).select("age", "mineur", "peut_ouvrir_droit", "carte_vitale_possible").rows()
    assert out == [c[2:] for c in CASES]
    for born, on, age, *_ in CASES:
        assert age_le(born, on) == age
        assert conditions_le(born, on)["age"] == age


def test_the_limits_are_the_dated_parameters() -> None:
    row = conditions_le(date(2000, 1, 1), date(2026, 1, 1))
    limits = ("ayant_droit_age_limite", "ayant_droit_age_minimum_ouvrant_droit", "carte_vitale_age_minimum")
    assert (row[limits[0]], row[limits[1]], row[limits[2]]) == (18, 16, 12)


def test_a_c2s_right_lasts_the_months_of_the_parameter(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """CSS L. 861-5: one year, so a right opened on 1 March 2024 ends on 28 February 2025 at the latest."""
    from secu.register.rules import c2s_fin_maximale
    from tests.parametres.modifies import parametre_modifie

    frame = pl.DataFrame({"date_debut": [date(2024, 3, 1), date(2025, 1, 15), date(2024, 2, 29)]})
    # Opened on 29 February 2024: no 29 February in 2025, the year runs to the end of February (CPC art. 641 by analogy).
    assert c2s_fin_maximale(frame)["c2s_fin_maximale"].to_list() == [date(2025, 2, 28), date(2026, 1, 14), date(2025, 2, 28)]
    with parametre_modifie(tmp_path, "repertoire/c2s/duree_mois.yaml", "value: 12", "value: 6"):
        assert c2s_fin_maximale(frame)["c2s_fin_maximale"][0] == date(2024, 8, 31)
