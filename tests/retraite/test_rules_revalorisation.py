"""The pension in payment, revalued each 1 January (L. 161-23-1, L. 161-25)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.retraite.rules.revalorisation import pension_en_service


def _servie(effet: date, mois: date, mensuelle: int = 100_000) -> dict[str, object]:
    return pension_en_service(pl.DataFrame({"date_effet": [effet], "mois": [mois], "pension_mensuelle": [mensuelle]})).row(0, named=True)


def test_each_1_january_after_the_date_d_effet_revalues_the_pension() -> None:
    """+5,3 % (2024), +2,2 % (2025), +0,9 % (2026): circulaires Cnav 2023-34, 2024-39, 2025-29 (fiche § 2.7)."""
    row = _servie(date(2023, 3, 1), date(2026, 3, 1))
    assert row["revalorisations"] == 3
    # 1 000 € → 1 053,00 → 1 076,17 (1 076,166) → 1 085,86 (1 085,851…): rounded half up at each step
    assert row["pension_mensuelle_revalorisee"] == 108_586
    assert str(row["revalorisation_reference"]).startswith("Circulaire Cnav n° 2025-29")


def test_a_pension_taking_effect_on_1_january_does_not_get_that_day_s_revaluation() -> None:
    assert _servie(date(2024, 1, 1), date(2024, 12, 1))["revalorisations"] == 0
    assert _servie(date(2024, 1, 1), date(2025, 1, 1))["pension_mensuelle_revalorisee"] == 102_200
    # Taking effect later in the year: the next 1 January in full.
    assert _servie(date(2024, 11, 1), date(2025, 1, 31))["pension_mensuelle_revalorisee"] == 102_200


def test_a_month_before_the_date_d_effet_is_refused() -> None:
    with pytest.raises(InvalidField) as caught:
        _servie(date(2025, 6, 1), date(2025, 5, 1))
    assert caught.value.field == "mois"
    with pytest.raises(InvalidField) as caught:
        pension_en_service(pl.DataFrame({"date_effet": [date(2025, 6, 1)], "mois": [date(2025, 7, 1)]}))
    assert caught.value.field == "pension_mensuelle"
