"""The published accounts a simulated year is compared with, and what secu simulates of each branch.

``comptes_publies.yaml`` holds the figures with their source and perimeter
(ROBSS for every year: see the file's header); :data:`PERIMETRE_SIMULE`
says, branch by branch, which revenues and expenses the job
(:mod:`secu.batch.jobs`) actually produces, so that a ratio reads honestly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from secu.core.errors import InvalidField

FICHIER = Path(__file__).with_name("comptes_publies.yaml")
BRANCHES = ("maladie", "atmp", "vieillesse", "famille", "autonomie")
MILLIARD_CENTS = 100 * 10**9
"""1 Md€ in cents."""

PERIMETRE_SIMULE: dict[str, dict[str, str]] = {
    "maladie": {
        "recettes": "cotisations maladie et part de CSG (CSS L131-8) sur les salaires du privé, réduction générale imputée ; "
                    "ni CSG sur les revenus de remplacement et du capital, ni fraction de TVA et impôts affectés, "
                    "ni non-salariés, ni fonctionnaires",
        "depenses": "soins de ville remboursés par les règles (lignes de soins générées) ; IJ maladie et maternité des "
                    "arrêts générés et pensions d'invalidité des pensionnés générés (secu.especes, brutes) ; ni hôpital "
                    "(ONDAM établissements ≈ 110 Md€ en 2025), ni médico-social, ni IJ des indépendants, ni transferts",
    },
    "atmp": {
        "recettes": "cotisations AT/MP sur les salaires au taux notifié de l'établissement",
        "depenses": "soins liés à un AT/MP (lignes marquées atmp) ; IJ AT/MP des arrêts générés (secu.especes, brutes) ; "
                    "ni rentes, ni transferts (reversement à la branche maladie pour sous-déclaration)",
    },
    "vieillesse": {
        "recettes": "cotisations vieillesse plafonnée et déplafonnée sur les salaires du privé ; ni transferts (FSV, AVPF), "
                    "ni impôts affectés, ni autres régimes (la CNAV ≈ 54 % de la branche ROBSS)",
        "depenses": "pensions de droit propre et de réversion du régime général des retraités et survivants générés "
                    "(secu.retraite, brutes, législation constante de 2023 revalorisée : calibration.yaml, section retraite) ; "
                    "ni autres régimes (fonction publique, MSA, régimes spéciaux…), ni transferts ; l'ASPA, financée par le FSV, "
                    "est comptée à part (fsv)",
    },
    "famille": {
        "recettes": "cotisations d'allocations familiales et part de CSG sur les salaires du privé ; "
                    "ni travailleurs indépendants, ni CSG sur les autres revenus, ni impôts affectés",
        "depenses": "prestations familiales des règles (AF, CF, PAJE naissance et base, ARS, ASF, AEEH) ; "
                    "ni aides au logement, ni action sociale, ni AVPF ; l'AAH, versée pour l'État, est comptée à part (etat)",
    },
    "autonomie": {
        "recettes": "contribution solidarité autonomie (0,30 %) et part de CSG sur les salaires ; CASA retenue sur les pensions "
                    "de retraite du régime général générées ; ni CSG sur les pensions et le capital",
        "depenses": "aucune : le jeu de données ne porte ni GIR ni plan d'aide, l'APA n'est pas simulée",
    },
}


@dataclass(frozen=True)
class Comptes:
    """One branch's published figures for one year, in Md€ as published."""

    recettes: Decimal
    depenses: Decimal
    solde: Decimal


@dataclass(frozen=True)
class Annee:
    annee: int
    statut: str
    perimetre: str
    perimetre_libelle: str
    source: str
    branches: dict[str, Comptes]


@lru_cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(FICHIER.read_text(encoding="utf-8"))
    return document


def annees() -> tuple[int, ...]:
    return tuple(sorted(int(a) for a in _document()["annees"]))


def population_reference() -> int:
    return int(_document()["population_reference"])


def population_source() -> str:
    return str(_document()["population_source"])


def annee(year: int) -> Annee:
    """The published accounts of ``year``; a year without figures is refused (French message naming the field)."""
    doc = _document()
    entry = doc["annees"].get(year)
    if entry is None:
        first, last = annees()[0], annees()[-1]
        raise InvalidField("annee", f"aucun compte publié pour {year} : années disponibles de {first} à {last}")
    return Annee(
        annee=year, statut=entry["statut"], perimetre=entry["perimetre"], perimetre_libelle=doc["perimetres"][entry["perimetre"]],
        source=entry["source"],
        branches={b: Comptes(Decimal(v["recettes"]), Decimal(v["depenses"]), Decimal(v["solde"])) for b, v in entry["branches"].items()},
    )


def reperes(branche: str) -> list[dict[str, Any]]:
    return [r for r in _document().get("reperes", []) if r["branche"] == branche]


@dataclass(frozen=True)
class PrestationPubliee:
    """A published cash-benefit figure (Md€), for the poste ``prestations.<poste>`` of a branch."""

    poste: str
    branche: str
    libelle: str
    montant: Decimal
    annee: int
    source: str


def prestations_especes() -> tuple[PrestationPubliee, ...]:
    """The published IJ and invalidity figures the simulated year is printed beside (``prestations_especes``)."""
    return tuple(
        PrestationPubliee(str(r["poste"]), str(r["branche"]), str(r["libelle"]), Decimal(str(r["montant"])), int(r["annee"]), str(r["source"]))
        for r in _document().get("prestations_especes", [])
    )
