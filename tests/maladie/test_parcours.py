"""Who is within the parcours de soins coordonné (CSS L162-5-3): one vectorized decision in the rules,
read from what the doctor declares and what the register says (issue 11 §2: one home for the parcours)."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.maladie.rules import liquidate, parcours_de_soins

DAY = date(2025, 6, 1)
ADULT, YOUNG, TWENTY_SIX = date(1980, 1, 1), date(2005, 1, 1), date(1999, 6, 1)  # 45, 20 and 26 on DAY


def decide(specialite: str | None, born: date, declared: str | None, *, traitant: bool = False, has_traitant: bool = True,
           profession: str = "medecin") -> bool:
    frame = pl.DataFrame({"situation_parcours": [declared], "profession": [profession], "medecin_traitant": [traitant],
                          "a_medecin_traitant": [has_traitant], "specialite": [specialite], "date_naissance": [born],
                          "date_soins": [DAY]}, schema_overrides={"situation_parcours": pl.String, "specialite": pl.String})
    return bool(parcours_de_soins(frame)[0])


@pytest.mark.parametrize(
    ("specialite", "born", "declared", "options", "expected"),
    [
        ("medecine-generale", ADULT, None, {"traitant": True}, True),  # the médecin traitant on record
        ("medecine-generale", ADULT, None, {}, False),  # another generalist, nothing declared
        ("medecine-generale", ADULT, None, {"has_traitant": False}, False),  # no médecin traitant declared
        ("cardiologie", ADULT, "oriente", {}, True),  # referred by the médecin traitant
        ("cardiologie", ADULT, "urgence", {"has_traitant": False}, True),
        ("medecine-generale", ADULT, "remplacement", {}, True),
        ("medecine-generale", ADULT, "hors_residence", {}, True),
        ("cardiologie", ADULT, "acces_direct", {}, False),  # not a specialty of direct access
        ("ophtalmologie", ADULT, None, {}, True),  # accès direct spécifique
        ("gynecologie", ADULT, "acces_direct", {}, True),
        ("gynecologie-obstetrique", ADULT, None, {}, True),
        ("gynecologie", ADULT, "acces_direct", {"has_traitant": False}, False),  # only with a médecin traitant declared
        ("psychiatrie", YOUNG, None, {}, True),  # psychiatrist, 16 to 25
        ("psychiatrie", TWENTY_SIX, None, {}, False),  # 26 on the day: no longer
        ("psychiatrie", ADULT, None, {}, False),
        ("medecine-generale", ADULT, "hors_parcours", {"traitant": True}, False),  # the doctor says so
        ("medecine-generale", ADULT, "medecin_traitant", {}, False),  # declared by another doctor than the one on record
        (None, ADULT, None, {"profession": "infirmier", "has_traitant": False}, True),  # outside the parcours' scope
    ],
)
def test_parcours(specialite: str | None, born: date, declared: str | None, options: dict[str, Any], expected: bool) -> None:
    """Fiche legislation-health §1.7 (CSS L162-5-3 ; accès direct spécifique : gynécologie, ophtalmologie,
    stomatologie, psychiatrie et neuropsychiatrie de 16 à 25 ans)."""
    assert decide(specialite, born, declared, **options) is expected


def test_an_unknown_situation_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidField) as error:
        decide("cardiologie", ADULT, "peut-etre")
    assert error.value.field == "situation_parcours"


def test_liquidate_decides_the_parcours_when_given_the_situation() -> None:
    """The same rule for the intake and any frame: the situation instead of ``parcours``. A cardiologist seen
    without referral by a 45-year-old: 30 % of 30 € = 9 €, minus the participation forfaitaire of 2 €."""
    line = {"personne": "p", "date_naissance": ADULT, "date_soins": DAY, "professionnel": "d", "acte": "G", "quantite": 1,
            "montant_cents": 3000, "situation_parcours": None, "profession": "medecin", "specialite": "cardiologie",
            "medecin_traitant": False, "a_medecin_traitant": True}
    frame = pl.DataFrame([line, {**line, "situation_parcours": "oriente"}], schema_overrides={"situation_parcours": pl.String})
    hors, dans = liquidate(frame).to_dicts()
    assert (hors["hors_parcours"], hors["rembourse_cents"]) == (True, 700)
    assert (dans["hors_parcours"], dans["rembourse_cents"]) == (False, 1900)
    with pytest.raises(InvalidField):
        liquidate(frame.with_columns(pl.lit(True).alias("parcours")))


def test_hors_parcours_for_an_ald_patient_keeps_the_majoration_on_the_exonerated_rate() -> None:
    """Décision (issue 11 §1.5), rules._taux : CSS L162-5-3 majore « la participation prévue au I de
    l'article L. 160-13 », celle dont L160-14 3° et 4° exonèrent l'ALD ; la majoration s'applique donc aussi à
    l'assuré en ALD vu hors parcours, en points : 100 % − 40 points = 60 %. Exemple : consultation de
    spécialiste à 30 € (G), patient de 45 ans en ALD, sans orientation : AMO 60 % × 30 € = 18 €, moins la
    participation forfaitaire de 2 € (due en ALD, CSS L160-13 II) = 16 €. Dans le parcours : 30 € − 2 € = 28 €.
    Une ALD dans le cadre du protocole de soins (L324-1) est déclarée « oriente » et reste dans le parcours.
    AT/MP (L431-1) et maternité (L160-9) ne relèvent pas de cette participation : pas de majoration."""
    line = {"personne": "p", "date_naissance": ADULT, "date_soins": DAY, "professionnel": "d", "acte": "G", "quantite": 1,
            "montant_cents": 3000, "ald": True, "parcours": False}
    frame = pl.DataFrame([line, {**line, "parcours": True}, {**line, "ald": False, "atmp": True}, {**line, "ald": False}])
    hors, dans, atmp, sans_ald = liquidate(frame).to_dicts()
    assert (hors["exoneration"], hors["hors_parcours"], str(hors["taux"]), hors["montant_amo_cents"], hors["rembourse_cents"]) == (
        "ALD", True, "0.600000000", 1800, 1600)
    assert (dans["hors_parcours"], dans["montant_amo_cents"], dans["rembourse_cents"]) == (False, 3000, 2800)
    assert (atmp["exoneration"], atmp["hors_parcours"], atmp["montant_amo_cents"]) == ("atmp", False, 3000)
    assert (sans_ald["hors_parcours"], sans_ald["montant_amo_cents"]) == (True, 900)  # 70 % − 40 points = 30 %


def test_the_explanation_says_the_majoration_reaches_the_ald_rate() -> None:
    from secu.maladie.explication import explain

    line = {"personne": "p", "date_naissance": ADULT, "date_soins": DAY, "professionnel": "d", "acte": "G", "quantite": 1,
            "montant_cents": 3000, "ald": True, "parcours": False}
    (row,) = liquidate(pl.DataFrame([line])).to_dicts()
    (step,) = [s for s in explain(row) if s["etape"].startswith("Hors parcours")]
    assert "exonération" in step["etape"] and "L162-5-3" in step["reference"] and "L160-14" in step["reference"]
