"""The accounts in the CCSS's shape, from the ledger: per branch, régime and year, the charges and produits by nature
and the solde; the ROBSS tableau d'équilibre by branch beside the LFSS's voted, rectified and executed values.

Every ledger account goes to one line through ``data/correspondance.yaml`` (one documented table, first rule that
matches); the accounts are sums over the ledger (:mod:`secu.core.ledger`), never a second computation. An exercise's
accounts are the entries dated in it; the corrections of a closed exercise, dated in the open one and flagged
(``exercice_rattache``), are in the open one's accounts and listed apart.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ColumnElement, case, distinct, func, literal, select
from sqlalchemy.orm import Session

from secu.core import ledger
from secu.core.errors import InvalidField
from secu.pilotage import lfss

FICHIER = Path(__file__).parent / "data" / "correspondance.yaml"
SIMULATION = "simulation."
CLASSES = ("charge", "produit", "bilan", "hors_perimetre")
MOTIF = re.compile(r"[a-z0-9_.*]+")
"""What a pattern may hold: so that fnmatch (the table's meaning) and SQL LIKE (the query) match the same accounts."""

BRANCHES = {"maladie": "maladie", "atmp": "atmp", "retraite": "vieillesse", "famille": "famille", "autonomie": "autonomie"}
"""Ledger branch → branch of the tableau d'équilibre (the ledger books the vieillesse on ``retraite``)."""
RECOUVREMENT = "recouvrement"
"""The URSSAF's own lines (majorations): shown apart, outside the five branches and their total."""
LIBELLES = {**{b: lfss.BRANCHES[b] for b in BRANCHES.values()}, RECOUVREMENT: "Recouvrement (URSSAF Caisse nationale)"}
RISQUE_DE_LA_BRANCHE = {"maladie": "maladie", "atmp": "atmp", "vieillesse": "vieillesse", "famille": "famille",
                        "autonomie": "autonomie", RECOUVREMENT: ""}


@dataclass(frozen=True)
class Regle:
    motif: str
    classe: str
    ligne: str | None
    risque: str | None
    note: str | None


@dataclass(frozen=True)
class Correspondance:
    lignes: dict[str, dict[str, str]]
    risques: dict[str, str]
    regles: tuple[Regle, ...]

    def classer(self, compte: str) -> Regle | None:
        """The first rule whose pattern matches the account (the simulated year's prefix removed), or None."""
        nom = compte.removeprefix(SIMULATION)
        return next((r for r in self.regles if fnmatch.fnmatchcase(nom, r.motif)), None)


def parse_correspondance(doc: Any) -> Correspondance:
    if not isinstance(doc, dict) or set(doc) != {"lignes", "risques", "comptes"}:
        raise ValueError("correspondance.yaml : les clés attendues sont « lignes », « risques » et « comptes »")
    lignes = {str(k): {str(n): str(v) for n, v in (d or {}).items()} for k, d in doc["lignes"].items()}
    if set(lignes) != {"charge", "produit"}:
        raise ValueError("correspondance.yaml : « lignes » a une liste de charges et une de produits")
    risques = {str(k): str(v) for k, v in doc["risques"].items()}
    regles = []
    for index, r in enumerate(doc["comptes"] or []):
        where = f"comptes[{index}]"
        if not isinstance(r, dict) or not str(r.get("motif") or "").strip():
            raise ValueError(f"{where} : un motif de compte est obligatoire")
        if not MOTIF.fullmatch(str(r["motif"])):
            raise ValueError(f"{where} : motif {r['motif']!r} : lettres minuscules, chiffres, « _ », « . » et « * » seulement")
        classe, ligne, risque = r.get("classe"), r.get("ligne"), r.get("risque")
        if classe not in CLASSES:
            raise ValueError(f"{where} : classe {classe!r} inconnue (admis : {', '.join(CLASSES)})")
        if classe in lignes and ligne not in lignes[classe]:
            raise ValueError(f"{where} : ligne {ligne!r} inconnue pour un(e) {classe}")
        if classe not in lignes and ligne is not None:
            raise ValueError(f"{where} : une classe {classe} n'a pas de ligne")
        if risque is not None and (risque not in risques or ligne != "prestations_legales"):
            raise ValueError(f"{where} : risque {risque!r} inconnu ou hors des prestations légales")
        regles.append(Regle(str(r["motif"]), str(classe), ligne, risque, r.get("note")))
    return Correspondance(lignes, risques, tuple(regles))


@cache
def correspondance(fichier: Path = FICHIER) -> Correspondance:
    with fichier.open(encoding="utf-8") as f:
        return parse_correspondance(yaml.safe_load(f))


def _branche(ledger_branche: str) -> str:
    return BRANCHES.get(ledger_branche, ledger_branche)


def verifier_branche(branche: str | None) -> str | None:
    if branche is not None and branche not in LIBELLES:
        raise InvalidField("branche", f"branche inconnue : {branche!r} (admises : {', '.join(LIBELLES)})")
    return branche


def verifier_annee(annee: int) -> int:
    if not 1996 <= annee <= date.today().year + 1:  # the first LFSS is for 1997 (LO n° 96-646)
        raise InvalidField("annee", f"exercice hors limites : {annee} (de 1996 à {date.today().year + 1})")
    return annee


def _like(motif: str) -> str:
    """A pattern of the table (letters, digits, « _ », « . », « * ») as SQL LIKE: the same accounts as fnmatch."""
    return motif.replace("_", "\\_").replace("*", "%")


def _cle(table: Correspondance, simulation: bool) -> ColumnElement[str]:
    """Each ledger line's place, in SQL: « classe|ligne|risque » of the first matching rule, « ?|<compte> » for none.

    Classifying in the database lets it count the distinct entries of each line of the accounts (the secret
    statistique counts entries; the sum of per-account counts would count an entry once per account it touches)."""
    L = ledger.LigneEcriture
    prefix = _like(SIMULATION) if simulation else ""
    whens: list[tuple[ColumnElement[bool], str]] = []
    for r in table.regles:
        pattern = prefix + _like(r.motif)
        if r.classe == "hors_perimetre":  # the départements' charges, kept for the record
            whens.append((L.compte.like(pattern, escape="\\") & L.compte.like("%.charges.%"), "hors_perimetre|charge|"))
        whens.append((L.compte.like(pattern, escape="\\"), f"{r.classe}|{r.ligne or ''}|{r.risque or ''}"))
    return case(*whens, else_=literal("?|") + L.compte)


def _soldes(session: Session, annee: int, simulation: bool, table: Correspondance) -> list[tuple[str, str, str, int | None, int, int]]:
    """(ledger branch, régime, place, exercice_rattache, debit − credit, distinct entries) of the entries dated in ``annee``."""
    L, E = ledger.LigneEcriture, ledger.Ecriture
    prefixed = L.compte.startswith(SIMULATION, autoescape=True)
    cle = _cle(table, simulation).label("cle")
    query = (
        select(L.branche, L.regime, cle, E.exercice_rattache, func.sum(L.montant_cents), func.count(distinct(L.ecriture_id)))
        .join(E, E.id == L.ecriture_id)
        .where(L.date_operation >= date(annee, 1, 1), L.date_operation <= date(annee, 12, 31), prefixed if simulation else ~prefixed)
        .group_by(L.branche, L.regime, cle, E.exercice_rattache)
    )
    return [(b, r, c, x, int(s), int(n)) for b, r, c, x, s, n in session.execute(query)]


def comptes(session: Session, annee: int, *, branche: str | None = None, simulation: bool = False) -> dict[str, Any]:
    """The accounts of ``annee`` (the ledger's own, or the simulated year's ``simulation.*``) in the CCSS's shape."""
    verifier_annee(annee)
    verifier_branche(branche)
    table = correspondance()
    lignes: dict[tuple[str, str, str, str, str], dict[str, int]] = {}
    corrections: dict[tuple[int, str, str, str, str], dict[str, int]] = {}
    non_classes: dict[tuple[str, str, str], dict[str, int]] = {}
    hors_perimetre = 0
    for lb, regime, cle, rattache, solde, n in _soldes(session, annee, simulation, table):
        b = _branche(lb)
        if branche is not None and b != branche:
            continue
        classe, _, rest = cle.partition("|")
        if classe == "?":
            _add(non_classes.setdefault((rest, b, regime), {"solde_cents": 0, "ecritures": 0}), solde, n)
            continue
        ligne, _, risque = rest.partition("|")
        if classe == "hors_perimetre":
            hors_perimetre += solde if ligne == "charge" else 0
            continue
        if classe == "bilan":
            continue
        montant = solde if classe == "charge" else -solde
        if ligne == "prestations_legales":
            risque = risque or RISQUE_DE_LA_BRANCHE.get(b, b)
        # one SQL group per (rule's line, explicit risk): a line fed by two groups adds their counts (an upper bound)
        _add(lignes.setdefault((b, regime, classe, ligne, risque), {"montant_cents": 0, "ecritures": 0}), montant, n)
        if rattache is not None:
            _add(corrections.setdefault((rattache, b, regime, classe, ligne), {"montant_cents": 0, "ecritures": 0}), montant, n)
    rows = [
        {"branche": b, "regime": regime, "sens": sens, "ligne": ligne, "libelle": table.lignes[sens][ligne],
         "risque": risque or None, "libelle_risque": table.risques.get(risque) if risque else None, **cell}
        for (b, regime, sens, ligne, risque), cell in sorted(lignes.items(), key=lambda kv: _ordre(table, kv[0]))
    ]
    return {
        "annee": annee,
        "source": "simulation" if simulation else "grand_livre",
        "exercice_clos": annee in ledger.exercices_clos(session, {annee}),
        "lignes": rows,
        "tableau": tableau(rows, branche),
        "lfss": publie(annee, branche),
        "corrections_exercices_anterieurs": [
            {"exercice": x, "branche": b, "regime": r, "sens": s, "ligne": ligne, **v}
            for (x, b, r, s, ligne), v in sorted(corrections.items())
        ],
        "non_classes": [{"compte": c, "branche": b, "regime": r, **v} for (c, b, r), v in sorted(non_classes.items())],
        "hors_perimetre_charges_cents": hors_perimetre,
    }


def _add(cell: dict[str, int], montant: int, ecritures: int) -> None:
    cell[next(k for k in cell if k.endswith("_cents"))] += montant
    cell["ecritures"] += ecritures


def _ordre(table: Correspondance, key: tuple[str, str, str, str, str]) -> tuple[int, str, int, int, int]:
    b, regime, sens, ligne, risque = key
    branches = list(LIBELLES)
    return (branches.index(b) if b in branches else len(branches), regime, 0 if sens == "charge" else 1,
            list(table.lignes[sens]).index(ligne), list(table.risques).index(risque) if risque in table.risques else -1)


def tableau(rows: list[dict[str, Any]], branche: str | None = None) -> list[dict[str, Any]]:
    """The tableau d'équilibre: per branch and régime, then per branch for all régimes (ROBSS), then all branches."""
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        for regime in (row["regime"], "robss"):
            cell = cells.setdefault((row["branche"], regime), {"recettes_cents": 0, "depenses_cents": 0})
            cell["recettes_cents" if row["sens"] == "produit" else "depenses_cents"] += row["montant_cents"]
    ordre = list(LIBELLES)
    wanted = [branche] if branche else [b for b in ordre if b != RECOUVREMENT] + [RECOUVREMENT]
    out: list[dict[str, Any]] = []
    for b in wanted:
        regimes = sorted(r for bb, r in cells if bb == b and r != "robss") + ["robss"]
        for regime in regimes:
            cell = cells.get((b, regime), {"recettes_cents": 0, "depenses_cents": 0})
            out.append({"branche": b, "libelle": LIBELLES[b], "regime": regime, **cell,
                        "solde_cents": cell["recettes_cents"] - cell["depenses_cents"]})
    if branche is None:  # secu books no transfer between branches: the total is their sum
        robss = [c for c in out if c["regime"] == "robss" and c["branche"] != RECOUVREMENT]
        recettes, depenses = sum(c["recettes_cents"] for c in robss), sum(c["depenses_cents"] for c in robss)
        out.append({"branche": "toutes", "libelle": lfss.BRANCHES["toutes"], "regime": "robss", "recettes_cents": recettes,
                    "depenses_cents": depenses, "solde_cents": recettes - depenses})
    return out


def publie(annee: int, branche: str | None = None) -> list[dict[str, Any]]:
    """The LFSS's values for ``annee`` (ROBSS), each with its state, text and statut."""
    out = []
    for (b, etat), t in sorted(lfss.charger().tableau(annee).items(), key=lambda kv: (list(lfss.BRANCHES).index(kv[0][0]), list(lfss.ETATS).index(kv[0][1]))):
        if branche is not None and b != branche:
            continue
        out.append({
            "branche": b, "etat": etat, "libelle_etat": lfss.ETATS[etat],
            "recettes_md": None if t.recettes_md is None else str(t.recettes_md),
            "depenses_md": None if t.depenses_md is None else str(t.depenses_md), "solde_md": str(t.solde_md),
            "texte": f"{t.texte.intitule}, {t.texte.article}" + (f" (JO du {t.texte.jo:%d/%m/%Y})" if t.texte.jo else ""),
            "texte_code": t.texte.code, "url": t.texte.url, "statut": t.statut,
        })
    return out
