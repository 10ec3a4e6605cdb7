"""A reform is data: its file read and checked like a parameter file, its tree installed for its run only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from secu.core.errors import InvalidField
from secu.core.parameters import parameters
from secu.famille.rules import droits
from secu.pilotage.reforme import JobReforme, appliquee, lire

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AF = EXAMPLES / "reforme-sans-majoration-age.yaml"
CSG = EXAMPLES / "reforme-csg-activite-plus-un-point.yaml"
MAI_2025 = date(2025, 5, 1)


def _reforme(parametres: str, titre: str = "Essai") -> str:
    return f"titre: {titre}\nparametres:\n{parametres}"


ENTREE = """  {name}:
    values:
      - date_effet: {date}
        value: {value}
        reference: "Réforme étudiée"
        statut: non-verifie
"""


def test_the_examples_are_read_and_overlay_from_their_first_date() -> None:
    reforme = lire(AF)
    assert reforme.debut() == date(2025, 1, 1) and [p.name for p in reforme.parametres] == ["af.tranche"]
    tree = reforme.registre()
    # Before the reform's date the tree's value stays (D. 521-1: 16 % in tranche 1); from it, the reform's.
    assert str(tree.get("af.tranche").at(date(2024, 12, 31)).leaf("1", "majoration_age")) == "0.16"
    assert tree.get("af.tranche").at(date(2025, 1, 1)).leaf("1", "majoration_age") == 0
    assert tree.get("af.tranche").at(date(2025, 1, 1)).leaf("2", "enfant_suivant") == parameters().get("af.tranche").at(MAI_2025).leaf("2", "enfant_suivant")
    csg = lire(CSG)
    assert {p.name for p in csg.parametres} == {"csg.taux_deductible", "affectation_csg_activite.maladie"}
    assert str(csg.registre().get("csg.taux_deductible").at(MAI_2025).value) == "0.078"
    shown = {p["parametre"]: p["valeurs"][0] for p in csg.resume()}
    assert shown["csg.taux_deductible"]["valeur"] == "0.078" and shown["csg.taux_deductible"]["texte"] == "7,8\u00a0%"


def _famille(children: list[date]) -> dict:
    f = pl.DataFrame({"foyer": [1], "mois": [MAI_2025], "nb_parents": [2], "ressources_n2": [40_000_00], "biactif": [False]},
                     schema_overrides={"nb_parents": pl.Int8})
    e = pl.DataFrame({"foyer": [1] * len(children), "mois": [MAI_2025] * len(children), "date_naissance": children})
    return droits(f, e).row(0, named=True)


def test_the_overlay_is_served_inside_the_block_and_the_package_tree_after() -> None:
    # BMAF 474,37 € from 2025-04-01 (instruction n° DSS/2A/2C/2025/32): two children of 15 and 14 in tranche 1,
    # 32 % = 151,80 € plus the majoration pour âge of the younger, 16 % = 75,90 € (CSS D. 521-1, I, 1°; the CAF
    # publishes it net of CRDS, 75,53 €: Libération, 11/12/2025, citing the CAF). Without the majoration, 151,80 €.
    children = [date(2010, 1, 1), date(2011, 1, 1)]
    package = parameters()
    assert _famille(children)["af"] == 15180 + 7590
    with appliquee(lire(AF)) as tree:
        assert parameters() is tree and parameters() is not package
        assert _famille(children)["af"] == 15180
    assert parameters() is not tree
    assert _famille(children)["af"] == 15180 + 7590


def test_the_overlay_is_restored_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), appliquee(lire(AF)):
        raise RuntimeError("coupure")
    assert str(parameters().get("af.tranche").at(MAI_2025).leaf("1", "majoration_age")) == "0.16"


@pytest.mark.parametrize(("texte", "field", "words"), [
    (_reforme(ENTREE.format(name="af.tranch", date="2025-01-01", value="0")), "parametres.af.tranch", ["paramètre inconnu", "af.tranche"]),
    (_reforme(ENTREE.format(name="bmaf", date="2025-01-01", value="abc")), "parametres.bmaf", ["bmaf", "n'est pas un nombre", "euros"]),
    (_reforme(ENTREE.format(name="bmaf", date="2025-01-01", value="478.123")), "parametres.bmaf", ["3 décimales"]),
    (_reforme(ENTREE.format(name="af.majoration.age", date="2025-01-01", value="14.5")), "parametres.af.majoration.age", ["entier"]),
    (_reforme(ENTREE.format(name="bmaf", date="2025-04-01", value="480") + "      - date_effet: 2025-01-01\n        value: 481\n"
              "        reference: x\n        statut: non-verifie\n"), "parametres.bmaf", ["strictement croissantes"]),
    (_reforme(ENTREE.format(name="bmaf", date="2025-02-30", value="480")), "parametres.bmaf", ["date_effet", "n'est pas une date"]),
    (_reforme(ENTREE.format(name="af.tranche", date="2025-01-01", value='{"1": "0"}')), "parametres.af.tranche", ["clés"]),
    (_reforme("  bmaf:\n    unit: taux\n    values: []\n"), "parametres.bmaf", ["clé(s) inconnue(s) : unit"]),
    ("titre: Essai\nparametres: {}\n", "parametres", ["dictionnaire non vide"]),
    ("parametres:\n" + ENTREE.format(name="bmaf", date="2025-01-01", value="480"), "titre", ["titre"]),
    ("titre: x\nbareme: 1\nparametres: {}\n", "bareme", ["clé(s) inconnue(s)"]),
    ("titre: [x\n", "reforme", ["YAML illisible"]),
])
def test_a_bad_reform_is_refused_in_french_naming_the_field(texte: str, field: str, words: list[str]) -> None:
    with pytest.raises(InvalidField) as refused:
        lire("reforme", texte=texte)
    assert refused.value.field == field
    for word in words:
        assert word in refused.value.message, refused.value.message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidField, match="introuvable"):
        lire(tmp_path / "absente.yaml")


def test_the_job_travels_by_value() -> None:
    import pickle

    job = JobReforme(AF.read_text(encoding="utf-8"))
    assert pickle.loads(pickle.dumps(job)) == job
