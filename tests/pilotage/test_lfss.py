"""The LFSS as data (src/secu/pilotage/data/lfss.yaml): every value with its text and statut, checked on load."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from secu.pilotage import lfss

DOC = yaml.safe_load(lfss.FICHIER.read_text(encoding="utf-8"))


def test_the_file_loads_and_covers_2023_to_2026() -> None:
    data = lfss.charger()
    assert data.exercices() == [2023, 2024, 2025, 2026]
    assert all(t.texte.intitule and t.statut in ("confirme", "secondaire", "non-verifie") for t in data.tableaux)
    assert {o.sous_objectif for o in data.ondam if o.exercice == 2025} >= {"soins_de_ville", "etablissements_sante", "total"}


def test_2024_executed_is_the_annex_of_the_lfss_2026() -> None:
    # Loi n° 2025-1403 (LFSS 2026), annexe « Recettes, dépenses et soldes de l'ensemble des régimes obligatoires de
    # base », colonne 2024 (texte du Sénat n° 193, 2025-2026): maladie 239,2 / 253,0 / −13,8; consolidé 626,4 / 642,8 / −16,4.
    table = lfss.charger().tableau(2024)
    maladie, toutes = table[("maladie", "execute")], table[("toutes", "execute")]
    assert (maladie.recettes_md, maladie.depenses_md, maladie.solde_md) == (Decimal("239.2"), Decimal("253.0"), Decimal("-13.8"))
    assert (toutes.recettes_md, toutes.depenses_md, toutes.solde_md) == (Decimal("626.4"), Decimal("642.8"), Decimal("-16.4"))


def test_2024_rectified_is_the_lfss_2025_article_1() -> None:
    # PLFSS 2025, texte de la CMP (AN n° 638), art. 1er, I, 1°: maladie 238,6 / 253,6 / −15,1; vieillesse 287,4 / 293,7 / −6,3.
    table = lfss.charger().tableau(2024)
    assert table[("maladie", "rectifie")].solde_md == Decimal("-15.1")
    assert table[("vieillesse", "rectifie")].depenses_md == Decimal("293.7")


def test_the_ondam_2025_and_2026_totals() -> None:
    # ONDAM 2025: 265,9 Md€ (AN amdt n° 956, loi n° 2025-199); 2026: 274,4 Md€ (loi n° 2025-1403, art. 109).
    data = lfss.charger()
    assert data.objectifs(2025)[("total", "vote")].montant_md == Decimal("265.9")
    assert data.objectifs(2026)[("total", "vote")].montant_md == Decimal("274.4")


def _broken(path: tuple[str, int], **change: object) -> dict:  # type: ignore[type-arg]
    doc = copy.deepcopy(DOC)
    entry = doc[path[0]][path[1]]
    for key, value in change.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return doc  # type: ignore[no-any-return]


@pytest.mark.parametrize(("change", "message"), [
    ({"texte": None}, "valeur sans texte"),
    ({"texte": "une-loi-inconnue"}, "valeur sans texte"),
    ({"statut": None}, "statut"),
    ({"statut": "probable"}, "statut"),
    ({"etat": "prevu"}, "etat"),
    ({"branche": "chomage"}, "branche"),
    ({"solde": "5.0"}, "n'est pas recettes − dépenses"),
    ({"recettes": 231.25}, "nombre décimal"),
    ({"recettes": "231.25"}, "plus d'une décimale"),
    ({"depenses": None}, "recettes et dépenses vont ensemble"),
])
def test_the_validator_refuses_a_value_without_its_source_or_that_does_not_hold(change: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=message):
        lfss.parse(_broken(("tableaux", 0), **change))


def test_the_validator_refuses_an_ondam_value_without_text_and_a_cell_given_twice() -> None:
    with pytest.raises(ValueError, match="valeur sans texte"):
        lfss.parse(_broken(("ondam", 0), texte=None))
    doc = copy.deepcopy(DOC)
    doc["tableaux"].append(copy.deepcopy(doc["tableaux"][0]))
    with pytest.raises(ValueError, match="deux fois"):
        lfss.parse(doc)
