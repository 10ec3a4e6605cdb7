"""The IJ with work or pay in the period: temps partiel thérapeutique (L. 323-3, R. 323-3), subrogation (R. 323-11), and
the revision of an AT/MP IJ after three months (L. 433-2, al. 3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.especes.explication import explain_ij
from secu.especes.rules import indemnites_journalieres


def _ij(**columns: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "risque": "maladie",
        "debut": date(2025, 5, 5),
        "fin": date(2025, 5, 18),
        "salaire_1": 200_000,
        "salaire_2": 200_000,
        "salaire_3": 200_000,
        **columns,
    }
    return indemnites_journalieres(pl.DataFrame({k: [v] for k, v in row.items()})).row(0, named=True)


def test_temps_partiel_therapeutique_pays_at_most_the_loss_of_pay() -> None:
    # R. 323-3 (décret n° 2019-856): the IJ of maladie (6 000 € / 91,25 × 50 % = 32,88 €), at most the daily loss of pay.
    low = _ij(temps_partiel_therapeutique=True, perte_gain_journaliere=2500)
    assert (low["ij_journaliere"], low["jours_indemnises"], low["montant_brut"]) == (2500, 11, 27_500)
    assert "perte de gain journalière de 25,00" in explain_ij(low)[3]["etape"] and "R. 323-3" in explain_ij(low)[3]["reference"]
    assert _ij(temps_partiel_therapeutique=True, perte_gain_journaliere=4000)["ij_journaliere"] == 3288
    # The loss of pay only counts in temps partiel thérapeutique.
    assert _ij(perte_gain_journaliere=2500)["ij_journaliere"] == 3288


def test_a_maintained_salary_changes_nothing_but_who_is_paid() -> None:
    # R. 323-11: the employer who maintained at least the IJ due for the period (361,68 € gross) receives them, net of
    # the CSG and CRDS (337,45 €); a lower maintained salary leaves them to the assuré. The amount never changes.
    alone = _ij()
    subrogated = _ij(subrogation=True, salaire_maintenu=40_000)
    assert subrogated["montant_net"] == alone["montant_net"] == 33_745
    assert (subrogated["verse_employeur"], subrogated["verse_assure"]) == (33_745, 0)
    assert [s["etape"] for s in explain_ij(subrogated)][-2:] == ["versé à l'employeur subrogé", "versé à l'assuré"]
    partial = _ij(subrogation=True, salaire_maintenu=30_000)
    assert (partial["verse_employeur"], partial["verse_assure"], partial["montant_net"]) == (0, 33_745, 33_745)
    assert (alone["verse_employeur"], alone["verse_assure"]) == (0, 33_745)


def test_an_atmp_ij_revised_after_three_months() -> None:
    # AT/MP from 1 January to 30 June 2025 (181 days), 3 000 € the month before: 60 % = 59,17 €; 80 % capped at the gain
    # journalier net (3 000 / 30,42 × 79 % = 77,91 €). A general rise of 2 % from 15 March applies once the arrêt
    # has lasted 3 months (L. 433-2, al. 3): from 1 April, day 91: 91 days at 77,91 × 1,02 = 79,47 €.
    atmp = {"risque": "atmp", "debut": date(2025, 1, 1), "fin": date(2025, 6, 30), "salaire_3": 300_000}
    row = _ij(**atmp, revision_atmp_coefficient=Decimal("1.02"), revision_atmp_debut=date(2025, 3, 15))
    assert (row["ij_journaliere"], row["ij_journaliere_majoree"], row["ij_journaliere_revisee"]) == (5917, 7791, 7947)
    assert (row["jours_indemnises"], row["jours_majores"], row["jours_revises"]) == (181, 153, 91)
    assert row["montant_brut"] == 28 * 5917 + (153 - 91) * 7791 + 91 * 7947
    assert any(s["etape"] == "dont 91 jour(s) au taux révisé (× 1,02)" for s in explain_ij(row))
    # A revision dated after the 3 months applies from its date: 1 May is day 121, 61 days revised.
    assert _ij(**atmp, revision_atmp_coefficient=Decimal("1.02"), revision_atmp_debut=date(2025, 5, 1))["jours_revises"] == 61
    # Without a revision, and for a maladie arrêt, nothing is revised.
    assert _ij(**atmp)["jours_revises"] == 0 and _ij(**atmp)["montant_brut"] == 28 * 5917 + 153 * 7791
    assert _ij(revision_atmp_coefficient=Decimal("1.02"), revision_atmp_debut=date(2025, 3, 15))["jours_revises"] == 0


@pytest.mark.parametrize(
    "columns",
    [
        {"revision_atmp_coefficient": Decimal("1.02")},
        {"revision_atmp_coefficient": Decimal("0.9"), "revision_atmp_debut": date(2025, 3, 1)},
    ],
)
def test_a_revision_needs_a_coefficient_of_at_least_1_and_its_date(columns: dict[str, Any]) -> None:
    with pytest.raises(InvalidField) as error:
        _ij(risque="atmp", **columns)
    assert error.value.field == "revision_atmp_coefficient"


def test_negative_loss_of_pay_or_maintained_salary_is_refused() -> None:
    for column in ("perte_gain_journaliere", "salaire_maintenu"):
        with pytest.raises(InvalidField) as error:
            _ij(**{column: -1})
        assert error.value.field == column
