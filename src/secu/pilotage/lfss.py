"""The LFSS as data (``data/lfss.yaml``): the tableaux d'équilibre by branch and the ONDAM with its sous-objectifs,
per exercise, as voted, rectified and executed, each value tied to its text and its statut.

The loader is the validator: a value without a known text or statut, an unknown branch or state, an amount that is
not a decimal number, a solde that is not recettes − dépenses within the text's rounding, or the same cell twice,
stops the load with a message naming the entry (``ValueError``), so nothing is ever shown from a file that does not
hold together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from secu.core.parameters.model import STATUTS

FICHIER = Path(__file__).parent / "data" / "lfss.yaml"
ETATS = {"vote": "voté (LFSS)", "rectifie": "rectifié (LFRSS ou LFSS suivante)", "execute": "exécuté (LACSS, CCSS)"}
PERIMETRES = {"robss": "ensemble des régimes obligatoires de base", "rg": "régime général"}
BRANCHES = {
    "maladie": "Maladie", "atmp": "Accidents du travail et maladies professionnelles", "vieillesse": "Vieillesse",
    "famille": "Famille", "autonomie": "Autonomie", "toutes": "Toutes branches (hors transferts entre branches)",
    "toutes_fsv": "Toutes branches, y compris le Fonds de solidarité vieillesse",
}
SOUS_OBJECTIFS = {
    "soins_de_ville": "Dépenses de soins de ville",
    "etablissements_sante": "Dépenses relatives aux établissements de santé",
    "personnes_agees": "Dépenses relatives aux établissements et services pour personnes âgées",
    "personnes_handicapees": "Dépenses relatives aux établissements et services pour personnes handicapées",
    "fir": "Dépenses relatives au Fonds d'intervention régional et soutien national à l'investissement",
    "autres": "Autres prises en charge",
    "total": "ONDAM total",
}
ARRONDI = Decimal("0.15")
"""Each of the three amounts is rounded to 0.1 Md€ in the text: their difference may miss the solde by 0.1."""


@dataclass(frozen=True)
class Texte:
    code: str
    intitule: str
    article: str
    jo: date | None
    url: str | None


@dataclass(frozen=True)
class Equilibre:
    exercice: int
    etat: str
    perimetre: str
    branche: str
    recettes_md: Decimal | None
    depenses_md: Decimal | None
    solde_md: Decimal
    texte: Texte
    statut: str


@dataclass(frozen=True)
class Ondam:
    exercice: int
    etat: str
    sous_objectif: str
    montant_md: Decimal
    texte: Texte
    statut: str


@dataclass(frozen=True)
class Lfss:
    textes: dict[str, Texte]
    tableaux: tuple[Equilibre, ...]
    ondam: tuple[Ondam, ...]

    def exercices(self) -> list[int]:
        return sorted({t.exercice for t in self.tableaux} | {o.exercice for o in self.ondam})

    def tableau(self, exercice: int, perimetre: str = "robss") -> dict[tuple[str, str], Equilibre]:
        """(branche, état) → the published row of ``exercice``."""
        return {(t.branche, t.etat): t for t in self.tableaux if t.exercice == exercice and t.perimetre == perimetre}

    def objectifs(self, exercice: int) -> dict[tuple[str, str], Ondam]:
        """(sous-objectif, état) → the published amount of ``exercice``."""
        return {(o.sous_objectif, o.etat): o for o in self.ondam if o.exercice == exercice}


def _md(value: Any, where: str, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{where} : {name} doit être un nombre décimal écrit entre guillemets (« 12.3 »)")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{where} : {name} n'est pas un nombre : {value!r}") from None
    if not number.is_finite() or number.as_tuple().exponent < -1:  # type: ignore[operator]
        raise ValueError(f"{where} : {name} a plus d'une décimale ou n'est pas fini : {value!r}")
    return number


def _choice(entry: dict[str, Any], name: str, allowed: dict[str, str] | Any, where: str) -> str:
    value = entry.get(name)
    if value not in allowed:
        raise ValueError(f"{where} : {name} {value!r} inconnu (admis : {', '.join(allowed)})")
    return str(value)


def _source(entry: dict[str, Any], textes: dict[str, Texte], where: str) -> tuple[Texte, str]:
    code = entry.get("texte")
    if code not in textes:
        raise ValueError(f"{where} : valeur sans texte (« texte » doit nommer une entrée de « textes », reçu {code!r})")
    return textes[code], _choice(entry, "statut", STATUTS, where)


def _exercice(entry: dict[str, Any], where: str) -> int:
    value = entry.get("exercice")
    if not isinstance(value, int) or isinstance(value, bool) or not 1996 <= value <= 2100:
        raise ValueError(f"{where} : exercice invalide : {value!r}")
    return value


def parse(doc: Any) -> Lfss:
    """Check and read the document (the content of ``lfss.yaml``)."""
    if not isinstance(doc, dict) or set(doc) != {"textes", "tableaux", "ondam"}:
        raise ValueError("lfss.yaml : les clés attendues sont « textes », « tableaux » et « ondam »")
    textes: dict[str, Texte] = {}
    for code, t in (doc["textes"] or {}).items():
        if not isinstance(t, dict) or not str(t.get("intitule") or "").strip() or not str(t.get("article") or "").strip():
            raise ValueError(f"textes.{code} : intitulé et article obligatoires")
        jo = t.get("jo")
        if jo is not None and not isinstance(jo, date):
            raise ValueError(f"textes.{code} : jo doit être une date AAAA-MM-JJ ou null")
        textes[str(code)] = Texte(str(code), str(t["intitule"]), str(t["article"]), jo, t.get("url"))
    tableaux: list[Equilibre] = []
    seen: set[tuple[Any, ...]] = set()
    for index, entry in enumerate(doc["tableaux"] or []):
        where = f"tableaux[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} : une entrée est un dictionnaire")
        texte, statut = _source(entry, textes, where)
        exercice = _exercice(entry, where)
        etat, perimetre = _choice(entry, "etat", ETATS, where), _choice(entry, "perimetre", PERIMETRES, where)
        branche = _choice(entry, "branche", BRANCHES, where)
        recettes = _md(entry["recettes"], where, "recettes") if "recettes" in entry else None
        depenses = _md(entry["depenses"], where, "dépenses") if "depenses" in entry else None
        solde = _md(entry.get("solde"), where, "solde")
        if (recettes is None) != (depenses is None):
            raise ValueError(f"{where} : recettes et dépenses vont ensemble")
        if recettes is not None and depenses is not None and abs(recettes - depenses - solde) > ARRONDI:
            raise ValueError(f"{where} : le solde {solde} n'est pas recettes − dépenses ({recettes - depenses})")
        key = (exercice, etat, perimetre, branche)
        if key in seen:
            raise ValueError(f"{where} : la même case figure deux fois ({exercice}, {etat}, {perimetre}, {branche})")
        seen.add(key)
        tableaux.append(Equilibre(exercice, etat, perimetre, branche, recettes, depenses, solde, texte, statut))
    ondam: list[Ondam] = []
    for index, entry in enumerate(doc["ondam"] or []):
        where = f"ondam[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} : une entrée est un dictionnaire")
        texte, statut = _source(entry, textes, where)
        exercice = _exercice(entry, where)
        etat, sous_objectif = _choice(entry, "etat", ETATS, where), _choice(entry, "sous_objectif", SOUS_OBJECTIFS, where)
        montant = _md(entry.get("montant"), where, "montant")
        if montant <= 0:
            raise ValueError(f"{where} : un objectif de dépenses est positif")
        key = (exercice, etat, "ondam", sous_objectif)
        if key in seen:
            raise ValueError(f"{where} : la même case figure deux fois ({exercice}, {etat}, {sous_objectif})")
        seen.add(key)
        ondam.append(Ondam(exercice, etat, sous_objectif, montant, texte, statut))
    return Lfss(textes, tuple(tableaux), tuple(ondam))


@cache
def charger(fichier: Path = FICHIER) -> Lfss:
    with fichier.open(encoding="utf-8") as f:
        return parse(yaml.safe_load(f))
